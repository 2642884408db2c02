import CCurl
import Foundation

/// One request in flight: its easy handle and everything libcurl writes into while it runs. Touched only on the
/// client's own thread (libcurl calls back from `curl_multi_perform` there), so it needs no lock.
final class Transfer: @unchecked Sendable {
    let id: UInt64
    let host: String
    let limit: Int
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var exceeded = false
    var continuation: CheckedContinuation<Result<HTTPClientResponse, HTTPClientError>, Never>?

    init?(id: UInt64, request: HTTPClientRequest, tls: TLSSettings, limit: Int) {
        guard let handle = curl_easy_init() else { return nil }
        self.id = id
        self.handle = handle
        self.limit = limit
        host = request.host
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        configure(request, tls: tls)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private func configure(_ request: HTTPClientRequest, tls: TLSSettings) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        jit_easy_setopt_string(handle, CURLOPT_URL, request.url)
        // No signals: a timeout must never raise SIGALRM or SIGPIPE in a multi-threaded process.
        jit_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        jit_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        jit_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        jit_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        jit_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        jit_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        jit_easy_setopt_callback(handle, CURLOPT_WRITEFUNCTION, transferReceivedBody)
        jit_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        jit_easy_setopt_callback(handle, CURLOPT_HEADERFUNCTION, transferReceivedHeader)
        jit_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        switch request.method {
        case "GET": jit_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": jit_easy_setopt_long(handle, CURLOPT_NOBODY, 1)
        default: jit_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            jit_easy_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            _ = body.withUnsafeBufferPointer { bytes in
                // Copied by libcurl: the array need not outlive this call.
                jit_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            }
        }
        // An empty Expect stops libcurl's 100-continue wait on larger bodies.
        for (name, value) in request.headers + [("Expect", "")] {
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        jit_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList)
        configureTLS(tls)
    }

    private func configureTLS(_ tls: TLSSettings) {
        if let caFile = tls.caFile {
            jit_easy_setopt_string(handle, CURLOPT_CAINFO, caFile)
            // The system's hashed certificate folder stays in use unless only the file is to be trusted.
            if tls.caFileOnly { jit_easy_setopt_pointer(handle, CURLOPT_CAPATH, nil) }
        }
        if let certificate = tls.clientCertificate { jit_easy_setopt_string(handle, CURLOPT_SSLCERT, certificate) }
        if let key = tls.clientKey { jit_easy_setopt_string(handle, CURLOPT_SSLKEY, key) }
        if tls.skipsVerification {
            jit_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            jit_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000))
    }

    /// The answer, or why there is none, from libcurl's result code.
    func outcome(_ code: CURLcode) -> Result<HTTPClientResponse, HTTPClientError> {
        guard code == CURLE_OK else { return .failure(error(code)) }
        var status = 0
        jit_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPClientResponse(status: status, headers: headers, body: body))
    }

    private func error(_ code: CURLcode) -> HTTPClientError {
        let detail = String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
        let words = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timedOut(host: host)
        case CURLE_COULDNT_CONNECT: return .connectionRefused(host: host)
        case CURLE_COULDNT_RESOLVE_HOST: return .hostNotFound(host: host)
        case CURLE_WRITE_ERROR where exceeded: return .tooLarge(host: host, limit: limit)
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE:
            return Self.isHandshake(words) ? .certificate(host: host, problem: .handshake(words))
                : .connectionLost(host: host, detail: words)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_ISSUER_ERROR:
            return .certificate(host: host, problem: Self.certificateProblem(words))
        case CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CRL_BADFILE:
            return .certificate(host: host, problem: .localFile(words))
        default: return .other(host: host, code: Int(code.rawValue), detail: words)
        }
    }

    private static func certificateProblem(_ words: String) -> HTTPClientError.CertificateProblem {
        let lowered = words.lowercased()
        if lowered.contains("expired") { return .expired }
        if lowered.contains("subject name") || lowered.contains("does not match") || lowered.contains("hostname") {
            return .nameMismatch
        }
        if lowered.contains("issuer") || lowered.contains("self-signed") || lowered.contains("self signed")
            || lowered.contains("unknown ca") || lowered.contains("unable to verify")
        {
            return .unknownAuthority
        }
        return .handshake(words)
    }

    /// A server that refuses a client certificate closes the handshake with an alert; libcurl reports it as a
    /// receive error.
    private static func isHandshake(_ words: String) -> Bool {
        let lowered = words.lowercased()
        return lowered.contains("alert") || lowered.contains("ssl") || lowered.contains("tls")
    }
}

/// libcurl's body callback: appends within the limit; returning less than given aborts the transfer.
private let transferReceivedBody: jit_data_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard transfer.body.count + length <= transfer.limit else {
        transfer.exceeded = true
        return 0
    }
    transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    return length
}

/// libcurl's header callback: one line at a time; a new status line (after a 100 Continue) starts over.
private let transferReceivedHeader: jit_data_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        transfer.headers = []
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        transfer.headers.append((name, value))
    }
    return length
}
