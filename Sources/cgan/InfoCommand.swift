import ArgumentParser
import NN

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the BLAS library, its kernel and thread count, and the CPU's SIMD features.")

    func run() throws {
        print("BLAS:         \(BLASRuntime.configuration)")
        print("kernel:       \(BLASRuntime.coreName)" + (FastBLASKernel.replacedCoreName.map {
            "  (OpenBLAS chose its slow \($0) kernel; cgan re-ran itself with OPENBLAS_CORETYPE=\(BLASRuntime.coreName))"
        } ?? ""))
        print("threads:      \(BLASRuntime.threadCount)")
        print("CPU:          \(BLASRuntime.cpuModel)")
        print("CPU features: \(BLASRuntime.simdFeatures.joined(separator: " "))")
        print("matmul:       oneDNN \(OneDNNMatmul.version) (fp32 and bf16 products; --matmul openblas for OpenBLAS)")
        print("native:       \(BLASRuntime.nativePrecisions().map(\.rawValue).joined(separator: ", ")) (cgan trains in fp32 unless --precision bf16)")
        if BLASRuntime.betterCoreType(coreName: BLASRuntime.coreName, cpuFlags: BLASRuntime.cpuFlags) != nil {
            print("warning: OpenBLAS runs its slow \(BLASRuntime.coreName) kernel on a CPU that supports a faster one")
        }
    }
}
