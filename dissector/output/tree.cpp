// The detailed tree (-V): one line per field with its offset and bytes, flags bit by bit, and each
// diagnostic under the field it concerns. Field positions come from the packet's field table
// (the entries of a list from its spans, entry after entry); a field the decoder did not find is
// not shown, and bytes no field covers are shown as "Unparsed bytes".
#include "output/detail.hpp"
#include "output/printer.hpp"
#include "output/style.hpp"
#include "output/v5.hpp"

#include <fmt/compile.h>

#include <algorithm>
#include <variant>

namespace mqttlens::output {

using detail::it;

namespace {

constexpr std::size_t hex_column = 23;          // 8 bytes: "xx xx xx xx xx xx xx xx"
constexpr std::string_view sub_indent = "                                   ";  // 5+2+23+2+3

std::string_view set_or_not(bool b) noexcept { return b ? "Set" : "Not set"; }

class Tree {
public:
    Tree(Buffer& out, const mqtt::Packet& packet, const Context& context, const PrintOptions& options)
        : out_(out), packet_(packet), raw_(packet.raw), context_(context), options_(options) {}

    /// Starts a field line: offset and bytes columns; the caller appends the label, then end().
    void begin(std::size_t off, std::size_t len) {
        fmt::format_to(it(out_), FMT_COMPILE("{:>5}  "), off);
        const auto bytes = raw_.subspan(std::min(off, raw_.size())).first(std::min(len, raw_.size() - std::min(off, raw_.size())));
        const std::size_t start = out_.size();
        append_hex(out_, bytes.size() <= 8 ? bytes : bytes.first(6), ' ');
        if (bytes.size() > 8) append(out_, " ..");
        while (out_.size() < start + hex_column) out_.push_back(' ');
        append(out_, "  ");
        pos_ = std::max(pos_, off + len);
    }

    /// Ends a field line, then prints the diagnostics about `field` inside [off, off + len).
    void end(mqtt::Field field, std::size_t off, std::size_t len, bool any_field = false) {
        out_.push_back('\n');
        diagnostics_for(field, off, len, any_field);
    }

    /// One bit-field line under a byte: pattern of `mask` in `byte`, then the label.
    template <class... A>
    void bits(std::uint8_t byte, std::uint8_t mask, fmt::format_string<A...> label, A&&... args) {
        append(out_, sub_indent);
        for (int bit = 7; bit >= 0; --bit) {
            const auto m = static_cast<std::uint8_t>(1u << bit);
            out_.push_back((mask & m) ? ((byte & m) ? '1' : '0') : '.');
            if (bit == 4) out_.push_back(' ');
        }
        append(out_, " = ");
        fmt::format_to(it(out_), label, std::forward<A>(args)...);
        out_.push_back('\n');
    }

    void diagnostic(const mqtt::Diagnostic& d) {
        append(out_, sub_indent);
        style::set(out_, options_.color, style::of(d.severity));
        fmt::format_to(it(out_), FMT_COMPILE("{} "), mqtt::severity_name(d.severity));
        append_rule(out_, d.rule(context_.version));
        fmt::format_to(it(out_), FMT_COMPILE(" {} at {}"), mqtt::code_info(d.code).name, d.offset);
        if (d.field != mqtt::Field::none) fmt::format_to(it(out_), FMT_COMPILE(" ({})"), mqtt::field_name(d.field));
        fmt::format_to(it(out_), FMT_COMPILE(": {}"), d.message());
        style::set(out_, options_.color, style::reset);
        out_.push_back('\n');
    }

    /// Where the decoder found `field`; nullopt when it did not.
    std::optional<mqtt::FieldSpan> span(mqtt::Field field) const noexcept { return packet_.fields.find(field); }

    /// A length-prefixed string field whose length prefix is at `off`.
    void string_field(mqtt::Field field, std::string_view label, std::string_view s, std::size_t off) {
        begin(off, s.size() + 2);
        fmt::format_to(it(out_), FMT_COMPILE("{}: "), label);
        append_display(out_, s);
        fmt::format_to(it(out_), FMT_COMPILE(" ({} byte{})"), s.size(), s.size() == 1 ? "" : "s");
        end(field, off, s.size() + 2);
    }
    /// A length-prefixed string field, when the decoder found it.
    void string_field(mqtt::Field field, std::string_view label, std::string_view s) {
        if (const auto at = span(field)) string_field(field, label, s, at->offset);
    }

    /// A binary field's line (Will Message, Password, PUBLISH payload) at [off, off + len):
    /// preview and size.
    void binary_field(mqtt::Field field, std::string_view label, mqtt::Bytes b, std::size_t off, std::size_t len) {
        begin(off, len);
        fmt::format_to(it(out_), FMT_COMPILE("{}: "), label);
        detail::append_payload(out_, b, options_.payload_max, false);
        fmt::format_to(it(out_), FMT_COMPILE(" ({} byte{})"), b.size(), b.size() == 1 ? "" : "s");
        end(field, off, len);
    }
    /// A length-prefixed binary field, when the decoder found it.
    void binary_field(mqtt::Field field, std::string_view label, mqtt::Bytes b) {
        if (const auto at = span(field)) binary_field(field, label, b, at->offset, at->length);
    }

    /// A number field of `len` bytes, when the decoder found it.
    void number_field(mqtt::Field field, std::string_view label, unsigned value, std::size_t len) {
        const auto at = span(field);
        if (!at) return;
        begin(at->offset, len);
        fmt::format_to(it(out_), FMT_COMPILE("{}: {}"), label, value);
        end(field, at->offset, len);
    }
    void packet_id(const std::optional<std::uint16_t>& id) {
        if (id) number_field(mqtt::Field::packet_id, "Packet Identifier", *id, 2);
    }

    /// MQTT 5.0: a property list (its Property Length and properties, with the list's findings),
    /// then one line per property: title, identifier, value.
    void properties(const std::optional<mqtt::PropertyList>& list, mqtt::Field field, std::string_view label) {
        const auto at = span(field);
        if (!list || !at) return;
        const std::size_t n = list->size();
        begin(at->offset, at->length);
        fmt::format_to(it(out_), FMT_COMPILE("{}: {} byte{}, {} propert{}"), label, list->raw().size(),
                       list->raw().size() == 1 ? "" : "s", n, n == 1 ? "y" : "ies");
        end(field, at->offset, at->length);
        for (const mqtt::Property& p : *list) {
            const auto off = static_cast<std::size_t>(p.raw.data() - raw_.data());
            begin(off, p.raw.size());
            const auto* info = mqtt::property_info(static_cast<std::uint8_t>(p.id));
            fmt::format_to(it(out_), FMT_COMPILE("  {} (0x{:02x}): "), info->title, static_cast<unsigned>(p.id));
            detail::append_property_value(out_, p);
            out_.push_back('\n');
        }
    }
    /// MQTT 5.0: the one Reason Code, when the decoder found it.
    void reason(const std::optional<std::uint8_t>& code) {
        const auto at = span(mqtt::Field::reason_code);
        if (!code || !at) return;
        begin(at->offset, 1);
        const std::string_view name = detail::reason_name(*code, packet_.type());
        fmt::format_to(it(out_), FMT_COMPILE("Reason Code: 0x{:02x} ({})"), *code, name.empty() ? "unknown" : name);
        end(mqtt::Field::reason_code, at->offset, 1);
    }

    void fixed_header() {
        const auto& h = packet_.header;
        begin(0, 1);
        const std::string_view type = mqtt::type_name(h.type(), context_.version);
        fmt::format_to(it(out_), FMT_COMPILE("Header Flags: 0x{:02x} ({})\n"), h.first_byte, type);
        bits(h.first_byte, 0xF0, "Message Type: {} ({})", type,
             static_cast<int>(h.type()));
        if (h.type() == mqtt::PacketType::publish) {
            bits(h.first_byte, 0x08, "DUP Flag: {}", set_or_not(h.dup()));
            bits(h.first_byte, 0x06, "QoS Level: {}", h.qos());
            bits(h.first_byte, 0x01, "Retain: {}", set_or_not(h.retain()));
        } else {
            bits(h.first_byte, 0x0F, "Flags: 0x{:x} (required 0x{:x})", h.flags(),
                 mqtt::required_flags(h.type()));
        }
        diagnostics_for(mqtt::Field::fixed_header, 0, 1);
        begin(1, h.length_size);
        fmt::format_to(it(out_), FMT_COMPILE("Remaining Length: {}"), h.remaining_length);
        end(mqtt::Field::remaining_length, 1, h.length_size);
    }

    void operator()(const mqtt::Opaque& body) {
        // The bytes after the fixed header, as far as the packet goes.
        const std::size_t off = packet_.header.size();
        if (raw_.empty() || body.bytes.empty() || off + body.bytes.size() > raw_.size()) return;
        begin(off, body.bytes.size());
        fmt::format_to(it(out_), FMT_COMPILE("Body: {} bytes (not decoded)"), body.bytes.size());
        end(mqtt::Field::none, off, body.bytes.size(), true);
    }

    void operator()(const mqtt::Connect& c) {
        if (!span(mqtt::Field::protocol_name)) return none_line("Protocol Name", mqtt::Field::protocol_name, "missing");
        string_field(mqtt::Field::protocol_name, "Protocol Name", c.protocol_name);
        if (const auto at = span(mqtt::Field::protocol_level)) {
            begin(at->offset, 1);
            fmt::format_to(it(out_), FMT_COMPILE("Protocol Level: {}"), c.protocol_level);
            if (c.protocol_level == 3) append(out_, " (MQTT 3.1)");
            else if (c.protocol_level == 4) append(out_, " (MQTT 3.1.1)");
            else if (c.protocol_level == 5) append(out_, " (MQTT 5.0)");
            end(mqtt::Field::protocol_level, at->offset, 1);
        }
        // Only levels 3, 4 and 5 have the layout below; the decoder stops for any other.
        if (c.protocol_level < 3 || c.protocol_level > 5) return;
        if (const auto at = span(mqtt::Field::connect_flags)) {
            const std::uint8_t f = c.flags;
            begin(at->offset, 1);
            fmt::format_to(it(out_), FMT_COMPILE("Connect Flags: 0x{:02x}\n"), f);
            bits(f, 0x80, "User Name Flag: {}", set_or_not(f & 0x80));
            bits(f, 0x40, "Password Flag: {}", set_or_not(f & 0x40));
            bits(f, 0x20, "Will Retain: {}", set_or_not(f & 0x20));
            bits(f, 0x18, "Will QoS: {}", (f >> 3) & 3);
            bits(f, 0x04, "Will Flag: {}", set_or_not(f & 0x04));
            bits(f, 0x02, "{}: {}", c.properties ? "Clean Start" : "Clean Session", set_or_not(f & 0x02));
            bits(f, 0x01, "Reserved: {}", f & 1);
            diagnostics_for(mqtt::Field::connect_flags, at->offset, 1);
        }
        number_field(mqtt::Field::keep_alive, "Keep Alive", c.keep_alive, 2);
        properties(c.properties, mqtt::Field::properties, "Properties");
        if (!span(mqtt::Field::client_id)) return none_line("Client Identifier", mqtt::Field::client_id, "missing");
        string_field(mqtt::Field::client_id, "Client Identifier", c.client_id);
        if (c.will) {
            properties(c.will->properties, mqtt::Field::will_properties, "Will Properties");
            string_field(mqtt::Field::will_topic, "Will Topic", c.will->topic);
            binary_field(mqtt::Field::will_message, "Will Message", c.will->message);
        }
        if (c.username) string_field(mqtt::Field::username, "User Name", *c.username);
        if (c.password) binary_field(mqtt::Field::password, "Password", *c.password);
    }

    void operator()(const mqtt::Connack& c) {
        if (const auto at = span(mqtt::Field::ack_flags); at && c.ack_flags) {
            const std::uint8_t f = *c.ack_flags;
            begin(at->offset, 1);
            fmt::format_to(it(out_), FMT_COMPILE("Acknowledge Flags: 0x{:02x}\n"), f);
            bits(f, 0xFE, "Reserved: 0x{:02x}", f & 0xFE);
            bits(f, 0x01, "Session Present: {}", set_or_not(f & 1));
            diagnostics_for(mqtt::Field::ack_flags, at->offset, 1);
        }
        if (const auto at = span(mqtt::Field::return_code); at && c.return_code) {
            begin(at->offset, 1);
            fmt::format_to(it(out_), FMT_COMPILE("Return Code: {} ({})"), *c.return_code,
                           connack_return_code_name(*c.return_code));
            end(mqtt::Field::return_code, at->offset, 1);
        }
        reason(c.return_code);
        properties(c.properties, mqtt::Field::properties, "Properties");
    }

    void operator()(const mqtt::Publish& p) {
        if (!span(mqtt::Field::topic)) return none_line("Topic", mqtt::Field::topic, "missing");
        string_field(mqtt::Field::topic, "Topic", p.topic);
        packet_id(p.packet_id);
        properties(p.properties, mqtt::Field::properties, "Properties");
        auto at = span(mqtt::Field::payload);
        if (!at && p.payload.empty() && pos_ == raw_.size())  // empty, at the end
            at = mqtt::FieldSpan{static_cast<std::uint32_t>(pos_), 0};
        if (at) binary_field(mqtt::Field::payload, "Message", p.payload, at->offset, p.payload.size());
    }

    void operator()(const mqtt::Ack& a) {
        packet_id(a.packet_id);
        reason(a.reason_code);
        properties(a.properties, mqtt::Field::properties, "Properties");
    }

    void operator()(const mqtt::Subscribe& s) {
        packet_id(s.packet_id);
        properties(s.properties, mqtt::Field::properties, "Properties");
        const auto list = span(mqtt::Field::topic_filter);
        if (!list || s.subscriptions.empty()) return none_line("Topic Filters", mqtt::Field::topic_filter);
        std::size_t o = list->offset;  // each entry: filter (length prefix and bytes), options byte
        for (const auto& sub : s.subscriptions) {
            string_field(mqtt::Field::topic_filter, "Topic Filter", sub.filter, o);
            o += 2 + sub.filter.size();
            begin(o, 1);
            if (s.properties) {  // 5.0: Subscription Options
                fmt::format_to(it(out_), FMT_COMPILE("Subscription Options: 0x{:02x}\n"), sub.options);
                bits(sub.options, 0xC0, "Reserved: 0x{:02x}", sub.options & 0xC0);
                bits(sub.options, 0x30, "Retain Handling: {}", (sub.options >> 4) & 3);
                bits(sub.options, 0x08, "Retain As Published: {}", set_or_not(sub.options & 0x08));
                bits(sub.options, 0x04, "No Local: {}", set_or_not(sub.options & 0x04));
                bits(sub.options, 0x03, "Maximum QoS: {}", sub.qos());
            } else {
                fmt::format_to(it(out_), FMT_COMPILE("Requested QoS: {} (0x{:02x})\n"), sub.qos(), sub.options);
                bits(sub.options, 0xFC, "Reserved: 0x{:02x}", sub.options & 0xFC);
                bits(sub.options, 0x03, "QoS: {}", sub.qos());
            }
            diagnostics_for(mqtt::Field::requested_qos, o, 1);
            ++o;
        }
    }

    void operator()(const mqtt::Suback& s) {
        packet_id(s.packet_id);
        properties(s.properties, mqtt::Field::properties, "Properties");
        const bool v5 = s.properties.has_value();
        const mqtt::Field field = v5 ? mqtt::Field::reason_codes : mqtt::Field::return_codes;
        const auto list = span(field);
        if (!list || s.return_codes.empty()) return none_line(v5 ? "Reason Codes" : "Return Codes", field);
        for (std::size_t i = 0; i < s.return_codes.size(); ++i) {
            const auto rc = s.return_codes[i];
            begin(list->offset + i, 1);
            const std::string_view name = v5 ? detail::reason_name(rc, packet_.type()) : suback_return_code_name(rc);
            fmt::format_to(it(out_), FMT_COMPILE("{}: 0x{:02x} ({})"), v5 ? "Reason Code" : "Return Code", rc,
                           name.empty() ? "unknown" : name);
            end(field, list->offset + i, 1);
        }
    }

    void operator()(const mqtt::Unsubscribe& u) {
        packet_id(u.packet_id);
        properties(u.properties, mqtt::Field::properties, "Properties");
        const auto list = span(mqtt::Field::topic_filter);
        if (!list || u.filters.empty()) return none_line("Topic Filters", mqtt::Field::topic_filter);
        std::size_t o = list->offset;
        for (const auto filter : u.filters) {
            string_field(mqtt::Field::topic_filter, "Topic Filter", filter, o);
            o += 2 + filter.size();
        }
    }

    void operator()(const mqtt::Empty&) {}

    void operator()(const mqtt::Reason& r) {
        reason(r.reason_code);
        properties(r.properties, mqtt::Field::properties, "Properties");
    }

    void print() {
        const auto& h = packet_.header;
        style::set(out_, options_.color, style::type);
        append(out_, mqtt::type_name(h.type(), context_.version));
        style::set(out_, options_.color, style::reset);
        fmt::format_to(it(out_), FMT_COMPILE(", {} byte{}"), raw_.size(), raw_.size() == 1 ? "" : "s");
        if (context_.offset) fmt::format_to(it(out_), FMT_COMPILE(" at offset {}"), *context_.offset);
        context_line();
        std::size_t errors = packet_.diagnostics.error_count(), warnings = 0;
        for (const auto& d : packet_.diagnostics) warnings += d.severity == mqtt::Severity::warning;
        for (const auto& d : context_.extra)
            (d.severity == mqtt::Severity::error ? errors : warnings) += 1;
        const auto tally = [&](std::size_t n, std::string_view what, std::string_view colour) {
            if (n == 0) return;
            append(out_, ", ");
            style::set(out_, options_.color, colour);
            fmt::format_to(it(out_), FMT_COMPILE("{} {}{}"), n, what, n == 1 ? "" : "s");
            style::set(out_, options_.color, style::reset);
        };
        if (errors == 0 && warnings == 0) append(out_, ", valid");
        tally(errors, "error", style::error);
        tally(warnings, "warning", style::warning);
        out_.push_back('\n');
        if (!context_.alias_topic.empty()) {
            append(out_, "  Topic (by its Topic Alias): ");
            append_display(out_, context_.alias_topic);
            out_.push_back('\n');
        }

        fixed_header();
        std::visit(*this, packet_.body);
        if (pos_ < raw_.size()) {
            const std::size_t n = raw_.size() - pos_, off = pos_;
            begin(off, n);
            fmt::format_to(it(out_), FMT_COMPILE("Unparsed bytes: {}"), n);
            end(mqtt::Field::none, off, n, true);
        }
        bool heading = false;
        for (std::size_t i = 0; i < packet_.diagnostics.size(); ++i) {
            if (printed_ & (1u << i)) continue;
            if (!heading) { append(out_, "  Diagnostics:\n"); heading = true; }
            diagnostic(packet_.diagnostics[i]);
        }
        if (packet_.diagnostics.dropped() > 0)
            fmt::format_to(it(out_), FMT_COMPILE("{}... and {} more not kept\n"), sub_indent, packet_.diagnostics.dropped());
        if (!context_.extra.empty()) {
            append(out_, "  Connection checks:\n");
            for (const auto& d : context_.extra) diagnostic(d);
        }
    }

private:
    /// A list that is empty where the packet needs entries: a zero-length line at the end of the
    /// bytes shown so far, so that the diagnostic about it has a place.
    void none_line(std::string_view label, mqtt::Field field, std::string_view what = "none") {
        const std::size_t off = pos_;
        begin(off, 0);
        fmt::format_to(it(out_), FMT_COMPILE("{}: {}"), label, what);
        end(field, off, 0);
    }

    /// The diagnostics not shown yet about `field` (any with `any_field`) inside [off, off + len),
    /// or at `off` when `len` is 0: end() without the newline, for a line followed by bit lines.
    void diagnostics_for(mqtt::Field field, std::size_t off, std::size_t len, bool any_field = false) {
        for (std::size_t i = 0; i < packet_.diagnostics.size(); ++i) {
            const auto& d = packet_.diagnostics[i];
            if ((printed_ & (1u << i)) || (!any_field && d.field != field)) continue;
            if (len == 0 ? d.offset != off : (d.offset < off || d.offset >= off + len)) continue;
            printed_ |= 1u << i;
            diagnostic(d);
        }
    }

    void context_line() {
        // " (frame 3, 0.000123 s, a → b, stream 0, c2s)"
        bool any = false;
        auto sep = [&] { append(out_, any ? ", " : " ("); any = true; };
        if (context_.frame) { sep(); fmt::format_to(it(out_), FMT_COMPILE("frame {}"), *context_.frame); }
        if (context_.rel_time) { sep(); detail::append_time(out_, *context_.rel_time); append(out_, " s"); }
        else if (context_.ts) { sep(); detail::append_time(out_, *context_.ts); }
        if (!context_.src.empty() || !context_.dst.empty()) {
            sep();
            fmt::format_to(it(out_), FMT_COMPILE("{} \u2192 {}"), context_.src, context_.dst);
        }
        if (context_.stream) { sep(); fmt::format_to(it(out_), FMT_COMPILE("stream {}"), *context_.stream); }
        if (context_.direction) { sep(); append(out_, direction_name(*context_.direction)); }
        if (!context_.transport.empty()) { sep(); append(out_, "over "); append(out_, context_.transport); }
        if (any) out_.push_back(')');
    }

    Buffer& out_;
    const mqtt::Packet& packet_;
    mqtt::Bytes raw_;
    const Context& context_;
    const PrintOptions& options_;
    std::uint32_t printed_ = 0;  // bit i: packet_.diagnostics[i] already shown
    std::size_t pos_ = 0;        // end of the bytes shown so far
};

}  // namespace

void print_tree(Buffer& out, const mqtt::Packet& packet, const Context& context,
                const PrintOptions& options) {
    Tree(out, packet, context, options).print();
}

}  // namespace mqttlens::output
