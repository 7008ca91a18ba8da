// The MQTT 5.0 parts of a packet as each printer writes them.
#include "output/v5.hpp"

#include "mqtt/reason_codes.hpp"
#include "output/detail.hpp"

namespace mqttlens::output::detail {
namespace {

const mqtt::PropertyInfo& info(const mqtt::Property& p) noexcept {
    return *mqtt::property_info(static_cast<std::uint8_t>(p.id));  // a list holds known identifiers only
}

/// The last property list written in one format and its text. The messages of one publisher
/// usually carry the same properties (and a broker forwards them unchanged), so the text is
/// copied instead of formatted again: on the 200,000-message 5.0 capture, a third of the print
/// thread's work. A pure cache: the text of a list in a format depends on its bytes alone.
class ListMemo {
public:
    /// Appends the text stored for exactly these list bytes and returns true; else false.
    [[gnu::always_inline]] bool append_to(Buffer& out, std::span<const std::uint8_t> raw) const {
        if (raw.size() != key_size_ || !equal_short(reinterpret_cast<const char*>(raw.data()), key_.data(), raw.size()))
            return false;
        append(out, std::string_view(text_.data(), text_size_));
        return true;
    }
    /// Remembers what `out` holds from `start` on as the summary of `raw` (forgets it when either
    /// is too long).
    void store(std::span<const std::uint8_t> raw, const Buffer& out, std::size_t start) noexcept {
        const std::size_t text = out.size() - start;
        key_size_ = not_stored;
        if (raw.size() > key_.size() || text > text_.size()) return;
        copy_short(key_.data(), reinterpret_cast<const char*>(raw.data()), raw.size());
        copy_short(text_.data(), out.data() + start, text);
        key_size_ = raw.size();
        text_size_ = text;
    }

private:
    static constexpr std::size_t not_stored = ~std::size_t{0};
    std::size_t key_size_ = not_stored;
    std::size_t text_size_ = 0;
    std::array<char, 128> key_{};
    std::array<char, 512> text_{};
};

constinit thread_local ListMemo summary_memo;
constinit thread_local ListMemo json_memo;  // the object's members, after its key

}  // namespace

std::string_view reason_name(std::uint8_t code, mqtt::PacketType type) noexcept {
    const auto scope = mqtt::reason_scope_of_type(static_cast<std::uint8_t>(type));
    return scope ? mqtt::reason_code_name(code, *scope) : std::string_view();
}

void append_reason_summary(Buffer& out, std::optional<std::uint8_t> code, mqtt::PacketType type) {
    if (!code) return;
    const std::string_view name = reason_name(*code, type);
    fmt::format_to(it(out), FMT_COMPILE(" reason=0x{:02x} ({})"), *code, name.empty() ? "unknown" : name);
}

void append_reason_json(Buffer& out, std::optional<std::uint8_t> code, mqtt::PacketType type) {
    if (!code) return;
    fmt::format_to(it(out), FMT_COMPILE(",\"reason_code\":{},\"reason\":"), *code);
    const std::string_view name = reason_name(*code, type);
    if (name.empty()) append(out, "null");
    else append_json_string(out, name);
}

void append_property_value(Buffer& out, const mqtt::Property& p) {
    switch (info(p).type) {
        case mqtt::PropertyType::utf8_string: return append_display(out, p.text);
        case mqtt::PropertyType::utf8_string_pair:
            append_display(out, p.text);
            append(out, " = ");
            return append_display(out, p.value);
        case mqtt::PropertyType::binary_data:
            fmt::format_to(it(out), FMT_COMPILE("{} bytes "), p.binary.size());
            return append_hex(out, p.binary);
        default: return append_uint(out, p.number);
    }
}

void append_properties_summary(Buffer& out, const std::optional<mqtt::PropertyList>& list) {
    if (!list || summary_memo.append_to(out, list->raw())) return;
    const std::size_t start = out.size();
    for (const mqtt::Property& p : *list) {
        const mqtt::PropertyInfo& i = info(p);
        out.push_back(' ');
        append(out, i.name);
        switch (i.type) {
            case mqtt::PropertyType::binary_data: fmt::format_to(it(out), FMT_COMPILE("_len={}"), p.binary.size()); break;
            case mqtt::PropertyType::utf8_string_pair:
                out.push_back('=');
                append_display(out, p.text);
                out.push_back(':');
                append_display(out, p.value);
                break;
            default: out.push_back('='); append_property_value(out, p); break;
        }
    }
    summary_memo.store(list->raw(), out, start);
}

void append_properties_json(Buffer& out, const std::optional<mqtt::PropertyList>& list, std::string_view key) {
    if (!list) return;
    // `,"key":{` written directly: through fmt, a fifth of a 5.0 PUBLISH's JSON line
    char* w = room(out, key.size() + 5);
    w = put(w, ",\"");
    w = put(w, key);
    finish(out, put(w, "\":{"));
    if (json_memo.append_to(out, list->raw())) return;
    const std::size_t start = out.size();
    bool first = true;
    const auto open = [&](std::string_view name) {
        if (!first) out.push_back(',');
        first = false;
        fmt::format_to(it(out), FMT_COMPILE("\"{}\":"), name);
    };
    bool pairs = false, identifiers = false;
    std::uint64_t seen = 0;  // one key per property: a repeat (the decoder reports it) keeps the first
    for (const mqtt::Property& p : *list) {
        const mqtt::PropertyInfo& i = info(p);
        if (p.id == mqtt::PropertyId::user_property) { pairs = true; continue; }
        if (p.id == mqtt::PropertyId::subscription_identifier) { identifiers = true; continue; }
        const std::uint64_t bit = std::uint64_t{1} << static_cast<unsigned>(p.id);
        if (seen & bit) continue;
        seen |= bit;
        switch (i.type) {
            case mqtt::PropertyType::utf8_string: open(i.name); append_json_string(out, p.text); break;
            case mqtt::PropertyType::binary_data:
                if (!first) out.push_back(',');
                first = false;
                fmt::format_to(it(out), FMT_COMPILE("\"{}_hex\":\""), i.name);
                append_hex(out, p.binary);
                out.push_back('"');
                break;
            default: open(i.name); append_uint(out, p.number); break;
        }
    }
    // The properties that repeat: one key each, a list of their values in wire order.
    const auto values = [&](std::string_view key, mqtt::PropertyId id, auto&& write) {
        open(key);
        out.push_back('[');
        bool next = false;
        for (const mqtt::Property& p : *list)
            if (p.id == id) {
                if (next) out.push_back(',');
                next = true;
                write(p);
            }
        out.push_back(']');
    };
    if (identifiers)
        values("subscription_identifiers", mqtt::PropertyId::subscription_identifier,
               [&](const mqtt::Property& p) { append_uint(out, p.number); });
    if (pairs)
        values("user_properties", mqtt::PropertyId::user_property, [&](const mqtt::Property& p) {
            out.push_back('[');
            append_json_string(out, p.text);
            out.push_back(',');
            append_json_string(out, p.value);
            out.push_back(']');
        });
    out.push_back('}');
    json_memo.store(list->raw(), out, start);
}

}  // namespace mqttlens::output::detail
