// A strict little JSON reader for the printer tests (RFC 8259): parses one value into a tree, or
// says where it is invalid. Only what the tests need: no number precision beyond double.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace json_checker {

struct Value {
    enum class Kind { null, boolean, number, string, array, object } kind = Kind::null;
    bool boolean = false;
    double number = 0;
    std::string string;
    std::vector<Value> array;
    std::map<std::string, Value> object;

    bool has(const std::string& key) const { return kind == Kind::object && object.count(key) > 0; }
    const Value& operator[](const std::string& key) const { return object.at(key); }
    const Value& operator[](std::size_t i) const { return array.at(i); }
};

class Parser {
public:
    explicit Parser(std::string_view text) : s_(text) {}

    /// The value, or nullopt with error() set. The whole text must be one value (plus whitespace).
    std::optional<Value> parse() {
        Value v;
        ws();
        if (!value(v)) return std::nullopt;
        ws();
        if (i_ != s_.size()) return fail("text after the value");
        return v;
    }
    const std::string& error() const { return error_; }

private:
    std::nullopt_t fail(std::string what) {
        if (error_.empty()) error_ = what + " at " + std::to_string(i_);
        return std::nullopt;
    }
    bool bad(std::string what) { fail(std::move(what)); return false; }
    void ws() { while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_; }
    bool lit(std::string_view w) {
        if (s_.substr(i_, w.size()) != w) return false;
        i_ += w.size();
        return true;
    }

    bool value(Value& v) {
        if (i_ >= s_.size()) return bad("end of text");
        const char c = s_[i_];
        if (c == '{') return object(v);
        if (c == '[') return array(v);
        if (c == '"') { v.kind = Value::Kind::string; return string(v.string); }
        if (lit("true")) { v.kind = Value::Kind::boolean; v.boolean = true; return true; }
        if (lit("false")) { v.kind = Value::Kind::boolean; return true; }
        if (lit("null")) return true;
        return number(v);
    }

    bool object(Value& v) {
        v.kind = Value::Kind::object;
        ++i_;
        ws();
        if (i_ < s_.size() && s_[i_] == '}') { ++i_; return true; }
        for (;;) {
            ws();
            std::string key;
            if (i_ >= s_.size() || s_[i_] != '"') return bad("expected a key");
            if (!string(key)) return false;
            if (v.object.count(key)) return bad("duplicate key " + key);
            ws();
            if (i_ >= s_.size() || s_[i_] != ':') return bad("expected ':'");
            ++i_;
            ws();
            if (!value(v.object[key])) return false;
            ws();
            if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
            if (i_ < s_.size() && s_[i_] == '}') { ++i_; return true; }
            return bad("expected ',' or '}'");
        }
    }

    bool array(Value& v) {
        v.kind = Value::Kind::array;
        ++i_;
        ws();
        if (i_ < s_.size() && s_[i_] == ']') { ++i_; return true; }
        for (;;) {
            ws();
            v.array.emplace_back();
            if (!value(v.array.back())) return false;
            ws();
            if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
            if (i_ < s_.size() && s_[i_] == ']') { ++i_; return true; }
            return bad("expected ',' or ']'");
        }
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    void put_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) out += static_cast<char>(cp);
        else if (cp < 0x800) { out += static_cast<char>(0xC0 | cp >> 6); out += static_cast<char>(0x80 | (cp & 0x3F)); }
        else { out += static_cast<char>(0xE0 | cp >> 12); out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
    }

    /// A string; raw bytes must be valid UTF-8 without controls (checked byte-wise by the caller's
    /// expectations: here controls are rejected and bytes >= 0x80 must form UTF-8 sequences).
    bool string(std::string& out) {
        ++i_;
        while (i_ < s_.size()) {
            const auto c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') { ++i_; return true; }
            if (c < 0x20) return bad("raw control character in a string");
            if (c == '\\') {
                if (++i_ >= s_.size()) return bad("end in an escape");
                const char e = s_[i_++];
                switch (e) {
                    case '"': out += '"'; break;
                    case '\\': out += '\\'; break;
                    case '/': out += '/'; break;
                    case 'b': out += '\b'; break;
                    case 'f': out += '\f'; break;
                    case 'n': out += '\n'; break;
                    case 'r': out += '\r'; break;
                    case 't': out += '\t'; break;
                    case 'u': {
                        if (i_ + 4 > s_.size()) return bad("short \\u escape");
                        unsigned cp = 0;
                        for (int k = 0; k < 4; ++k) {
                            const int h = hex(s_[i_++]);
                            if (h < 0) return bad("bad \\u escape");
                            cp = cp << 4 | static_cast<unsigned>(h);
                        }
                        if (cp >= 0xD800 && cp <= 0xDFFF) return bad("surrogate escape (not produced by the printers)");
                        put_utf8(out, cp);
                        break;
                    }
                    default: return bad("unknown escape");
                }
                continue;
            }
            if (c >= 0x80) {
                std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
                if (n == 0 || i_ + n > s_.size()) return bad("invalid UTF-8 in a string");
                for (std::size_t k = 1; k < n; ++k)
                    if ((static_cast<unsigned char>(s_[i_ + k]) & 0xC0) != 0x80) return bad("invalid UTF-8 in a string");
                out.append(s_.substr(i_, n));
                i_ += n;
                continue;
            }
            out += static_cast<char>(c);
            ++i_;
        }
        return bad("unterminated string");
    }

    bool number(Value& v) {
        const std::size_t start = i_;
        if (i_ < s_.size() && s_[i_] == '-') ++i_;
        if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') return bad("expected a value");
        if (s_[i_] == '0') ++i_;
        else while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        if (i_ < s_.size() && s_[i_] == '.') {
            ++i_;
            if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') return bad("digit expected after '.'");
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') return bad("digit expected in exponent");
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        }
        v.kind = Value::Kind::number;
        v.number = std::stod(std::string(s_.substr(start, i_ - start)));
        return true;
    }

    std::string_view s_;
    std::size_t i_ = 0;
    std::string error_;
};

}  // namespace json_checker
