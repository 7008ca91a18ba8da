// libpcap, loaded on first use (see shared_library.hpp): a classic pcap file that PcapBlockReader
// reads whole, without a filter, never loads it.
//
// The functions keep libpcap's names and types (from <pcap/pcap.h>): `pcap->pcap_next_ex(...)`
// is libpcap's pcap_next_ex.
#pragma once

#include "capture/shared_library.hpp"

#include <pcap/pcap.h>

#include <string>

namespace mqttlens::capture {

#define MQTTLENS_LIBPCAP_FUNCTIONS(X)                                                                          \
    X(pcap_activate) X(pcap_breakloop) X(pcap_close) X(pcap_compile) X(pcap_create) X(pcap_datalink)         \
    X(pcap_datalink_val_to_description) X(pcap_datalink_val_to_name) X(pcap_file)                             \
    X(pcap_fopen_offline_with_tstamp_precision) X(pcap_freecode) X(pcap_get_tstamp_precision) X(pcap_geterr) \
    X(pcap_next_ex) X(pcap_offline_filter) X(pcap_set_promisc) X(pcap_set_snaplen) X(pcap_set_timeout)       \
    X(pcap_set_tstamp_precision) X(pcap_setfilter) X(pcap_stats) X(pcap_statustostr)

struct Libpcap {
    MQTTLENS_LIBPCAP_FUNCTIONS(MQTTLENS_FUNCTION_MEMBER)
};

/// libpcap's functions, loaded by the first call (thread-safe); nullptr, with `why` set when
/// given, when the library or one of the functions cannot be found.
const Libpcap* libpcap(std::string* why = nullptr);

}  // namespace mqttlens::capture
