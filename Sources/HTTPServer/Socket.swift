@preconcurrency import Glibc

/// The few socket calls the server makes, with Glibc's type quirks in one place.
enum Socket {
    /// A numeric IPv4 or IPv6 address (no brackets) and a port, as the kernel takes it.
    static func address(host: String, port: Int) throws(HTTPServerError) -> (family: Int32, storage: sockaddr_storage) {
        var storage = sockaddr_storage()
        let portBytes = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        let ok: Bool = withUnsafeMutablePointer(to: &storage) { pointer in
            if host.contains(":") {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    address.pointee.sin6_family = sa_family_t(AF_INET6)
                    address.pointee.sin6_port = portBytes
                    return inet_pton(AF_INET6, host, &address.pointee.sin6_addr) == 1
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                address.pointee.sin_family = sa_family_t(AF_INET)
                address.pointee.sin_port = portBytes
                return inet_pton(AF_INET, host, &address.pointee.sin_addr) == 1
            }
        }
        guard ok else { throw .invalidAddress(host) }
        return (host.contains(":") ? AF_INET6 : AF_INET, storage)
    }

    static func listen(host: String, port: Int) throws(HTTPServerError) -> Int32 {
        var (family, address) = try Self.address(host: host, port: port)
        let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        // Close-on-exec from the start: a process spawned meanwhile (tests start many) must not inherit it.
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket", errno: errno) }
        if port != 0 {
            // A fixed port is rebound at once after a restart; a free port (0) needs no reuse.
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let error = errno
            close(fd)
            throw .system(call: "bind", errno: error)
        }
        guard Glibc.listen(fd, 512) == 0 else {
            let error = errno
            close(fd)
            throw .system(call: "listen", errno: error)
        }
        return fd
    }

    static func localPort(of fd: Int32) throws(HTTPServerError) -> Int {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw .system(call: "getsockname", errno: errno) }
        // sin_port and sin6_port sit at the same offset, right after the family.
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    /// No Nagle delay (one write per response, swift-linux-notes §3), close-on-exec, and an idle timeout.
    static func configure(connection fd: Int32, idleTimeoutSeconds: Int) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var yes: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        setReceiveTimeout(fd, .seconds(idleTimeoutSeconds))
    }

    /// How long a `receive` waits for bytes before giving up (at least a millisecond: zero would mean forever).
    static func setReceiveTimeout(_ fd: Int32, _ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let microseconds = max(seconds * 1_000_000 + attoseconds / 1_000_000_000_000, 1000)
        var timeout = timeval(tv_sec: Int(microseconds / 1_000_000), tv_usec: Int(microseconds % 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends everything or gives up; MSG_NOSIGNAL because a peer that hung up must not kill us with SIGPIPE.
    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Closing with unread input makes the kernel send a reset, which can destroy the error response just sent;
    /// so stop writing, then read and discard what the client still sends, for a second or a megabyte at most,
    /// `chunk` bytes at a time.
    static func drainBeforeClose(_ fd: Int32, chunk: Int) {
        shutdown(fd, Int32(SHUT_WR))
        setReceiveTimeout(fd, .seconds(1))
        var discarded: [UInt8] = []
        var total = 0
        while total < 1 << 20, receive(fd, into: &discarded, capacity: chunk) {
            total += discarded.count
            discarded.removeAll(keepingCapacity: true)
        }
    }

    /// Up to `capacity` bytes appended to `buffer`; false on end of stream, error or idle timeout.
    static func receive(_ fd: Int32, into buffer: inout [UInt8], capacity: Int) -> Bool {
        var chunk = [UInt8](repeating: 0, count: capacity)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if count < 0, errno == EINTR { continue }
            return false
        }
    }
}
