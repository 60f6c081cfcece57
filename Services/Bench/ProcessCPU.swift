import Foundation

/// CPU time (user + system, in seconds) that processes have used: what a rate costs in cores.
enum ProcessCPU {
    /// Of a running process, from /proc/<pid>/stat (utime and stime, fields 14 and 15).
    static func seconds(_ pid: Int32) -> Double? {
        // "pid (name) state …": the name may hold spaces, so count fields after the ")".
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return nil
        }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Of this process's children that have ended and been waited for.
    static func endedChildren() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
