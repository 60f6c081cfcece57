import Foundation

/// TCP ports on 127.0.0.1: whether one can be listened on, and a free one.
public enum LocalPort {
    /// Binds as the services' HTTP servers do (SO_REUSEADDR: connections of a just-stopped server
    /// in TIME_WAIT do not count).
    public static func isFree(_ port: Int) -> Bool { bound(port) != nil }

    /// A port nothing listens on right now (the kernel's pick).
    public static func free() throws -> Int {
        guard let port = bound(0) else { throw POSIXError(.EADDRINUSE) }
        return port
    }

    /// A base port with `count` consecutive free ports from it, below Linux's ephemeral range
    /// (32768–60999): ports the kernel hands out — to `free()` and to every outgoing connection —
    /// never land in a range chosen here while it is in use (CI met a local broker listening on
    /// a port a simulation had planned for a scaled instance).
    public static func freeRange(_ count: Int) throws -> Int {
        for _ in 0..<100 {
            let base = Int.random(in: 20_000...(32_000 - count))
            if (base..<(base + count)).allSatisfy(isFree) { return base }
        }
        throw POSIXError(.EADDRINUSE)
    }

    private static func bound(_ port: Int) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return ok ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
