// What mqtt-probe conform prints: the catalogue (--list), the verdicts as a table grouped by
// section, as JSON, or as JUnit XML for a CI.
#pragma once

#include "runner.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace mqttlens::probe {

struct Summary {
    std::size_t pass = 0, fail = 0, not_applicable = 0, inconclusive = 0, not_run = 0;
    double seconds = 0;
    bool interrupted = false;  ///< some case is not_run: the run was stopped (SIGINT, SIGTERM) before it ended
};

/// Counts the verdicts of `results`; `seconds` is the whole run's wall time.
Summary summarise(const std::vector<Result>& results, double seconds);

/// One line per case: id, rule, version, section, the break and the reaction required.
void print_list(std::FILE* out, const std::vector<const Case*>& cases);

/// The verdicts grouped by section (in catalogue order), each failing case's detail and findings
/// beneath it, and a summary line (ending in "; interrupted" for an interrupted run).
void print_table(std::FILE* out, const std::vector<Result>& results, const Summary& summary);

/// One JSON document: {"target", "cases": [one object per case], "summary": {...}}; the summary
/// counts "not_run" and says "interrupted".
void print_json(std::FILE* out, const std::vector<Result>& results, const Summary& summary,
                const std::string& target);

/// JUnit XML: one <testsuite> per section, one <testcase> per case (failure, skipped for n/a,
/// inconclusive and not run). Empty on success, else why `path` could not be written.
std::string write_junit(const std::string& path, const std::vector<Result>& results, const Summary& summary);

}  // namespace mqttlens::probe
