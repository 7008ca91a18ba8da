#include "transport/stack.hpp"

#include "transport/websocket_handshake.hpp"

#include <algorithm>

namespace mqttlens::transport {

namespace {

// The request head a WebSocket upgrade inside TLS may take before it is given up on.
constexpr std::size_t max_upgrade_probe = 16 * 1024;

}  // namespace

Recognition recognise(capture::Bytes client_first) noexcept {
    const TlsProbe tls = probe_tls(client_first);
    if (tls.verdict == TlsProbe::Verdict::tls) return {Recognition::Verdict::tls, tls.alpn_mqtt};
    if (tls.verdict == TlsProbe::Verdict::need_more) return {};
    switch (detect_websocket(client_first)) {
        case Detect::need_more: return {};
        case Detect::no: return {Recognition::Verdict::neither, false};
        case Detect::yes: break;
    }
    // The subprotocols offered are in the request head: wait for all of it, read it quietly.
    const std::string_view text(reinterpret_cast<const char*>(client_first.data()), client_first.size());
    const std::size_t end = text.find("\r\n\r\n");
    if (end == std::string_view::npos) return {};
    struct Quiet final : Output {
        void data(int, capture::Bytes) override {}
        void gap(int, std::uint64_t) override {}
        void finding(int, const Finding&) override {}
    } quiet;
    WebSocketInfo info;
    ws::Request request;
    ws::read_request(text.substr(0, end + 4), 0, 0, {}, info, request, quiet);
    const auto& offered = info.offered_protocols;
    return {Recognition::Verdict::websocket, std::find(offered.begin(), offered.end(), "mqtt") != offered.end()};
}

/// What TLS hands up goes here: to a WebSocket layer once the decrypted client bytes open with an
/// upgrade request, else straight up as MQTT. Until the client's first bytes decide, both sides'
/// bytes wait here (bounded by max_upgrade_probe).
class Stack::Middle final : public Output {
public:
    explicit Middle(Stack& stack) : stack_(stack) {}

    Output* up = nullptr;  // set by the Stack before each call into the TLS layer

    void data(int d, capture::Bytes bytes) override {
        if (stack_.ws_) return stack_.ws_->data(d, bytes, *up);
        if (decided_) return up->data(d, bytes);
        pending_[d].insert(pending_[d].end(), bytes.begin(), bytes.end());
        const auto& client = pending_[stack_.client_];
        const Detect v = client.empty() ? Detect::need_more : detect_websocket(client);
        if (v == Detect::need_more && client.size() + pending_[1 - stack_.client_].size() <= max_upgrade_probe) return;
        if (v == Detect::yes) stack_.ws_ = std::make_unique<WebSocketLayer>(stack_.client_, stack_.options_.websocket);
        flush();
    }

    void gap(int d, std::uint64_t size) override {
        if (stack_.ws_) return stack_.ws_->gap(d, size, *up);
        if (!decided_) flush();
        up->gap(d, size);
    }

    void finding(int d, const Finding& f) override { up->finding(d, f); }

    void close() {
        if (!decided_) flush();
        if (stack_.ws_) stack_.ws_->close(*up);
    }

private:
    void flush() {
        decided_ = true;
        for (int d : {stack_.client_, 1 - stack_.client_}) {
            std::vector<std::uint8_t> bytes = std::move(pending_[d]);
            pending_[d] = {};
            if (bytes.empty()) continue;
            if (stack_.ws_) stack_.ws_->data(d, bytes, *up);
            else up->data(d, bytes);
        }
    }

    Stack& stack_;
    bool decided_ = false;
    std::array<std::vector<std::uint8_t>, 2> pending_;
};

Stack::Stack(Bottom bottom, int client_side, const StackOptions& options)
    : client_(client_side), options_(options) {
    if (bottom == Bottom::tls) {
        tls_ = std::make_unique<TlsLayer>(client_side, options.tls);
        middle_ = std::make_unique<Middle>(*this);
    } else {
        ws_ = std::make_unique<WebSocketLayer>(client_side, options.websocket);
    }
}

Stack::~Stack() = default;

void Stack::data(int d, capture::Bytes bytes, Output& out) {
    if (!tls_) return ws_->data(d, bytes, out);
    middle_->up = &out;
    tls_->data(d, bytes, *middle_);
}

void Stack::gap(int d, std::uint64_t size, Output& out) {
    if (!tls_) return ws_->gap(d, size, out);
    middle_->up = &out;
    tls_->gap(d, size, *middle_);
}

void Stack::close(Output& out) {
    if (!tls_) return ws_->close(out);
    middle_->up = &out;
    tls_->close(*middle_);
    middle_->close();
}

std::string_view Stack::name() const noexcept {
    if (tls_ && ws_) return "TLS+WebSocket";
    return tls_ ? "TLS" : "WebSocket";
}

}  // namespace mqttlens::transport
