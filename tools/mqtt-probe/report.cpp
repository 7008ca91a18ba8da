// Output formats of mqtt-probe conform, all written through fmt.
#include "report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mqttlens::probe {

namespace {

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (unsigned char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\', out += static_cast<char>(ch);
        else if (ch < 0x20) out += fmt::format("\\u{:04x}", ch);
        else out += static_cast<char>(ch);
    }
    return out + "\"";
}

std::string xml_text(std::string_view s) {
    std::string out;
    for (unsigned char ch : s) {
        switch (ch) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += ch < 0x20 && ch != '\n' ? '?' : static_cast<char>(ch);
        }
    }
    return out;
}

/// The sections in first-appearance order, each with its results.
std::vector<std::pair<std::string_view, std::vector<const Result*>>> by_section(const std::vector<Result>& results) {
    std::vector<std::pair<std::string_view, std::vector<const Result*>>> groups;
    for (const Result& r : results) {
        auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == r.test->section; });
        if (it == groups.end()) groups.push_back({r.test->section, {&r}});
        else it->second.push_back(&r);
    }
    return groups;
}

}  // namespace

Summary summarise(const std::vector<Result>& results, double seconds) {
    Summary s;
    s.seconds = seconds;
    for (const Result& r : results) {
        switch (r.verdict) {
        case Verdict::pass: ++s.pass; break;
        case Verdict::fail: ++s.fail; break;
        case Verdict::not_applicable: ++s.not_applicable; break;
        case Verdict::inconclusive: ++s.inconclusive; break;
        case Verdict::not_run: ++s.not_run; break;
        }
    }
    s.interrupted = s.not_run > 0;
    return s;
}

void print_list(std::FILE* out, const std::vector<const Case*>& cases) {
    for (const Case* c : cases) {
        fmt::print(out, "{:<40} {:<18} {:<6} {:<22} {} -> {}\n", c->id, c->rule, c->version, c->section, c->title,
                   expected(*c));
    }
}

void print_table(std::FILE* out, const std::vector<Result>& results, const Summary& s) {
    for (const auto& [section, group] : by_section(results)) {
        fmt::print(out, "{}\n", section);
        for (const Result* r : group) {
            fmt::print(out, "  {:<12} {:<40} {:<25} {}\n", verdict_name(r->verdict), r->test->id,
                       fmt::format("{} ({})", r->test->rule, r->test->version), r->test->title);
            if (!r->detail.empty()) fmt::print(out, "      {}\n", r->detail);
            for (const std::string& f : r->findings) fmt::print(out, "      broker: {}\n", f);
        }
    }
    fmt::print(out, "{} cases: {} pass, {} fail, {} n/a, {} inconclusive{} ({:.1f} s){}\n",
               s.pass + s.fail + s.not_applicable + s.inconclusive + s.not_run, s.pass, s.fail, s.not_applicable,
               s.inconclusive, s.not_run ? fmt::format(", {} not run", s.not_run) : "", s.seconds,
               s.interrupted ? "; interrupted" : "");
}

void print_json(std::FILE* out, const std::vector<Result>& results, const Summary& s, const std::string& target) {
    fmt::print(out, "{{\"target\":{},\"cases\":[", json_string(target));
    for (std::size_t i = 0; i < results.size(); ++i) {
        const Result& r = results[i];
        std::string findings;
        for (const std::string& f : r.findings) findings += (findings.empty() ? "" : ",") + json_string(f);
        fmt::print(out,
                   "{}\n{{\"id\":{},\"rule\":{},\"version\":{},\"section\":{},\"title\":{},\"expected\":{},"
                   "\"verdict\":{},\"detail\":{},\"findings\":[{}],\"seconds\":{:.3f}}}",
                   i ? "," : "", json_string(r.test->id), json_string(r.test->rule), json_string(r.test->version),
                   json_string(r.test->section), json_string(r.test->title),
                   json_string(expected(*r.test)), json_string(verdict_name(r.verdict)),
                   json_string(r.detail), findings, r.seconds);
    }
    fmt::print(out, "\n],\"summary\":{{\"cases\":{},\"pass\":{},\"fail\":{},\"not_applicable\":{},"
                    "\"inconclusive\":{},\"not_run\":{},\"interrupted\":{},\"seconds\":{:.3f}}}}}\n",
               results.size(), s.pass, s.fail, s.not_applicable, s.inconclusive, s.not_run, s.interrupted,
               s.seconds);
}

std::string write_junit(const std::string& path, const std::vector<Result>& results, const Summary& s) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return fmt::format("cannot write {}: {}", path, std::strerror(errno));
    fmt::print(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mqtt-probe conform\" tests=\"{}\" "
                  "failures=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
               results.size(), s.fail, s.not_applicable + s.inconclusive + s.not_run, s.seconds);
    for (const auto& [section, group] : by_section(results)) {
        Summary g = summarise({}, 0);
        double time = 0;
        for (const Result* r : group) {
            g.fail += r->verdict == Verdict::fail;
            g.not_applicable += r->verdict != Verdict::pass && r->verdict != Verdict::fail;
            time += r->seconds;
        }
        fmt::print(f, "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
                   xml_text(section), group.size(), g.fail, g.not_applicable, time);
        for (const Result* r : group) {
            fmt::print(f, "    <testcase classname=\"mqtt-probe.{}\" name=\"{} ({} {})\" time=\"{:.3f}\"",
                       xml_text(section), xml_text(r->test->id), xml_text(r->test->rule), r->test->version, r->seconds);
            std::string message = r->detail;
            for (const std::string& x : r->findings) message += (message.empty() ? "" : "; ") + x;
            if (r->verdict == Verdict::pass) fmt::print(f, "/>\n");
            else if (r->verdict == Verdict::fail)
                fmt::print(f, ">\n      <failure message=\"{}\">expected: {}</failure>\n    </testcase>\n",
                           xml_text(message), xml_text(expected(*r->test)));
            else
                fmt::print(f, ">\n      <skipped message=\"{}: {}\"/>\n    </testcase>\n", verdict_name(r->verdict),
                           xml_text(message));
        }
        fmt::print(f, "  </testsuite>\n");
    }
    fmt::print(f, "</testsuites>\n");
    if (std::fclose(f) != 0) return fmt::format("cannot write {}: {}", path, std::strerror(errno));
    return {};
}

}  // namespace mqttlens::probe
