// Property values as typed: each type's reading, then mqtt::write_property() for the bytes.
#include "property_args.hpp"

#include "escapes.hpp"

#include <fmt/format.h>

namespace mqttlens::craft {

namespace {

using mqtt::PropertyType;

std::uint32_t max_of(PropertyType type) noexcept {
    switch (type) {
    case PropertyType::byte: return 0xFF;
    case PropertyType::two_byte_integer: return 0xFFFF;
    case PropertyType::variable_byte_integer: return 268'435'455;
    default: return 0xFFFF'FFFF;
    }
}

}  // namespace

std::uint8_t property_identifier(std::string_view name, std::string_view what) {
    if (!name.empty() && name[0] >= '0' && name[0] <= '9')
        return static_cast<std::uint8_t>(parse_number(name, 255, what));
    for (unsigned id = 0; id < 256; ++id) {
        const mqtt::PropertyInfo* info = mqtt::property_info(static_cast<std::uint8_t>(id));
        if (info && info->name == name) return static_cast<std::uint8_t>(id);
    }
    throw UsageError(fmt::format("{}: unknown property '{}' (a snake_case name such as topic_alias, "
                                 "or a number)", what, name));
}

std::optional<PropertyArg> split_property(const std::string& text, std::string option) {
    const auto eq = text.find('=');
    if (eq == std::string::npos) return std::nullopt;
    return PropertyArg{text.substr(0, eq), text.substr(eq + 1), false, std::move(option)};
}

bool append_property(const PropertyArg& arg, std::vector<std::uint8_t>& out) {
    const bool generic = arg.option.ends_with("-property") && arg.option != "--user-property";
    const std::string what = generic ? fmt::format("{} {}={}", arg.option, arg.name, arg.value)
                                     : fmt::format("{} {}", arg.option, arg.value);
    const std::uint8_t id = property_identifier(arg.name, what);
    const mqtt::PropertyInfo* info = mqtt::property_info(id);
    if (info == nullptr) {
        out.push_back(id);
        const auto value = parse_hex(arg.value, what);
        out.insert(out.end(), value.begin(), value.end());
        return false;
    }
    mqtt::Property p{info->id, {}, 0, {}, {}, {}};
    std::string text, second, binary;
    switch (info->type) {
    case PropertyType::utf8_string:
        text = unescape(arg.value, what);
        p.text = text;
        break;
    case PropertyType::utf8_string_pair: {
        const auto eq = arg.value.find('=');
        if (eq == std::string::npos) throw UsageError(what + ": expected KEY=VALUE");
        text = unescape(std::string_view(arg.value).substr(0, eq), what);
        second = unescape(std::string_view(arg.value).substr(eq + 1), what);
        p.text = text;
        p.value = second;
        break;
    }
    case PropertyType::binary_data:
        if (arg.binary_text) binary = unescape(arg.value, what);
        else for (std::uint8_t b : parse_hex(arg.value, what)) binary.push_back(static_cast<char>(b));
        p.binary = mqtt::as_bytes(binary);
        break;
    default:
        p.number = static_cast<std::uint32_t>(parse_number(arg.value, max_of(info->type), what));
    }
    mqtt::write_property(p, out);
    return true;
}

std::optional<mqtt::PropertyScope> property_scope_of(mqtt::PacketType type) noexcept {
    using mqtt::PacketType;
    using S = mqtt::PropertyScope;
    switch (type) {
    case PacketType::connect: return S::connect;
    case PacketType::connack: return S::connack;
    case PacketType::publish: return S::publish;
    case PacketType::puback: return S::puback;
    case PacketType::pubrec: return S::pubrec;
    case PacketType::pubrel: return S::pubrel;
    case PacketType::pubcomp: return S::pubcomp;
    case PacketType::subscribe: return S::subscribe;
    case PacketType::suback: return S::suback;
    case PacketType::unsubscribe: return S::unsubscribe;
    case PacketType::unsuback: return S::unsuback;
    case PacketType::disconnect: return S::disconnect;
    case PacketType::auth: return S::auth;
    default: return std::nullopt;
    }
}

}  // namespace mqttlens::craft
