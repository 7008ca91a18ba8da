// Script files: a small shell-like tokenizer, one packet per line.
#include "script.hpp"

#include "escapes.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace mqttlens::craft {

std::vector<ScriptLine> split_script(std::string_view text, std::string_view name) {
    std::vector<ScriptLine> lines;
    std::size_t number = 0;
    while (!text.empty()) {
        std::size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

        ScriptLine out{number, {}};
        std::string arg;
        bool in_arg = false;
        for (std::size_t i = 0; i < line.size(); ++i) {
            char c = line[i];
            if (c == ' ' || c == '\t') {
                if (in_arg) out.args.push_back(std::move(arg));
                arg.clear();
                in_arg = false;
            } else if (c == '#' && !in_arg) {
                break;
            } else if (c == '\'' || c == '"') {
                std::size_t j = i + 1;
                for (; j < line.size() && line[j] != c; ++j) {
                    if (c == '"' && line[j] == '\\' && j + 1 < line.size() &&
                        (line[j + 1] == '"' || line[j + 1] == '\\'))
                        ++j;
                    arg.push_back(line[j]);
                }
                if (j == line.size())
                    throw UsageError(fmt::format("{}:{}: unterminated {} quote", name, number, c));
                in_arg = true;
                i = j;
            } else {
                arg.push_back(c);
                in_arg = true;
            }
        }
        if (in_arg) out.args.push_back(std::move(arg));
        if (!out.args.empty()) lines.push_back(std::move(out));
    }
    return lines;
}

std::string read_script(const std::string& path) {
    std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!f) throw UsageError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
    std::string text;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    bool failed = std::ferror(f);
    if (f != stdin) std::fclose(f);
    if (failed) throw UsageError(fmt::format("cannot read {}", path));
    return text;
}

}  // namespace mqttlens::craft
