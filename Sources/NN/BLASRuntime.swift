import CBLAS
import CDNNL
import Glibc

/// What OpenBLAS chose at load time, the CPU it runs on, and the thread counts of both libraries.
///
/// Debian's OpenBLAS 0.3.21 does not know some newer CPUs (a Xeon of family 6 model 207 among them)
/// and falls back to its "Prescott" kernels, about 10x slower than the AVX-512 ones. The library reads
/// `OPENBLAS_CORETYPE` only while it loads, so a program fixes that by running itself again with the
/// variable set to `betterCoreType`; the `cgan` program does.
public enum BLASRuntime {
    /// OpenBLAS's kernel family, such as "Haswell", "SkylakeX", "Zen" or "Prescott".
    public static var coreName: String { String(cString: openblas_get_corename()) }
    /// OpenBLAS's build configuration string.
    public static var configuration: String { String(cString: openblas_get_config()).trimmingSpaces() }
    public static var threadCount: Int { Int(openblas_get_num_threads()) }
    /// Sets the threads of both libraries: OpenBLAS's, and OpenMP's (for the calling thread), which oneDNN and
    /// `ParallelLoop` run on. OpenMP gets one thread when `products` multiply with OpenBLAS: its threads are a
    /// pool of their own, and two pools that each spin while waiting take the cores from each other.
    public static func setThreadCount(_ n: Int, for products: MatrixProducts = MatrixProducts()) {
        openblas_set_num_threads(Int32(max(1, n)))
        omp_set_num_threads(Int32(products.usesOneDNN ? max(1, n) : 1))
    }

    /// Kernels OpenBLAS falls back to when it does not recognise a CPU; all lack AVX2.
    static let fallbackCores: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem",
                                             "Katmai", "Coppermine", "Northwood", "Banias", "Atom", "Unknown"]

    /// The kernel to ask for when OpenBLAS picked a slow fallback on a CPU that can do better; nil otherwise.
    public static func betterCoreType(coreName: String, cpuFlags: Set<String>) -> String? {
        guard fallbackCores.contains(coreName) else { return nil }
        if cpuFlags.contains("avx512f") && cpuFlags.contains("avx512bw") { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// Flags of the first CPU in /proc/cpuinfo (empty where that file does not exist).
    public static var cpuFlags: Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            if let colon = line.firstIndex(of: ":") {
                return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
            }
        }
        return []
    }

    /// The CPU's model name from /proc/cpuinfo ("unknown CPU" where it cannot be read).
    public static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return "unknown CPU"
    }

    /// Number formats this CPU multiplies natively (detected at run time): fp32 always, bf16 with
    /// AVX512_BF16 or AMX-BF16.
    public static func nativePrecisions(cpuFlags flags: Set<String> = cpuFlags) -> [Precision] {
        [.fp32] + (flags.contains("avx512_bf16") || flags.contains("amx_bf16") ? [.bf16] : [])
    }

    /// SIMD features worth reporting, in a fixed order.
    public static var simdFeatures: [String] {
        let flags = cpuFlags
        return ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_bf16", "amx_tile", "amx_bf16"].filter(flags.contains)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
