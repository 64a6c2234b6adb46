import CDNNL
import Synchronization

/// `Float` matrix products through oneDNN's matmul primitive (Debian's libdnnl 2.6), in fp32 or in bf16
/// with fp32 accumulation and an fp32 result.
///
/// A primitive is built once per shape, transposes, alpha, beta and precision (a few milliseconds: oneDNN
/// compiles a kernel for it) and kept; later calls only point its memory objects at the caller's buffers,
/// so a training step allocates nothing. In bf16 the operands are first rounded into buffers the plan owns
/// by oneDNN's reorder (vectorised, round to nearest even); the caller's `Float` buffers stay untouched.
/// Transposed operands are described by strides, never copied.
// @unchecked: the engine and stream are only touched while `plans` is locked.
public final class OneDNNMatmul: @unchecked Sendable {
    static let shared = OneDNNMatmul()

    struct Key: Hashable {
        let shape: GEMMShape, alpha: Float, beta: Float, precision: Precision
    }

    /// One compiled product and the memory objects its calls rebind.
    final class Plan: @unchecked Sendable {
        let matmul: dnnl_primitive_t
        let a: dnnl_memory_t, b: dnnl_memory_t, c: dnnl_memory_t  // the caller's fp32 buffers
        /// bf16 only: reorders from `a`, `b` into the bf16 copies the matmul reads.
        let roundA: dnnl_primitive_t?, roundB: dnnl_primitive_t?
        let a16: dnnl_memory_t?, b16: dnnl_memory_t?
        let storage16: UnsafeMutableRawPointer?

        init(key: Key, engine: dnnl_engine_t) throws(OneDNNError) {
            let s = key.shape
            // op(a) is m x k: a stored k x m when transposed, so element (i, j) sits at j*m + i.
            var aDesc = try Self.desc(dims: [s.m, s.k], strides: s.transposeA ? [1, s.m] : [s.k, 1], type: dnnl_f32)
            var bDesc = try Self.desc(dims: [s.k, s.n], strides: s.transposeB ? [1, s.k] : [s.n, 1], type: dnnl_f32)
            var cDesc = try Self.desc(dims: [s.m, s.n], strides: [s.n, 1], type: dnnl_f32)
            a = try Self.memory(&aDesc, engine); b = try Self.memory(&bDesc, engine); c = try Self.memory(&cDesc, engine)

            var attr: dnnl_primitive_attr_t?
            try check(dnnl_primitive_attr_create(&attr), "attributes")
            defer { dnnl_primitive_attr_destroy(attr) }
            if key.alpha != 1 {
                var alpha = key.alpha
                try check(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha), "output scale")
            }
            if key.beta != 0 {
                var ops: dnnl_post_ops_t?
                try check(dnnl_post_ops_create(&ops), "post-ops")
                defer { dnnl_post_ops_destroy(ops) }
                try check(dnnl_post_ops_append_sum(ops, key.beta), "sum post-op")
                try check(dnnl_primitive_attr_set_post_ops(attr, ops), "post-ops")
            }

            var srcDesc = aDesc, weightsDesc = bDesc
            if key.precision == .bf16 {
                var a16Desc = try Self.desc(dims: [s.m, s.k], strides: s.transposeA ? [1, s.m] : [s.k, 1], type: dnnl_bf16)
                var b16Desc = try Self.desc(dims: [s.k, s.n], strides: s.transposeB ? [1, s.k] : [s.n, 1], type: dnnl_bf16)
                let bytesA = (s.m * s.k * 2 + 63) / 64 * 64
                let raw = UnsafeMutableRawPointer.allocate(byteCount: bytesA + s.k * s.n * 2, alignment: 64)
                storage16 = raw
                a16 = try Self.memory(&a16Desc, engine, handle: raw)
                b16 = try Self.memory(&b16Desc, engine, handle: raw + bytesA)
                roundA = try Self.reorder(from: &aDesc, to: &a16Desc, engine)
                roundB = try Self.reorder(from: &bDesc, to: &b16Desc, engine)
                srcDesc = a16Desc; weightsDesc = b16Desc
            } else {
                storage16 = nil; a16 = nil; b16 = nil; roundA = nil; roundB = nil
            }
            var op = dnnl_matmul_desc_t()
            try check(dnnl_matmul_desc_init(&op, &srcDesc, &weightsDesc, nil, &cDesc), "matmul description")
            var pd: dnnl_primitive_desc_t?
            try check(dnnl_primitive_desc_create(&pd, &op, attr, engine, nil), "matmul \(s) in \(key.precision)")
            defer { dnnl_primitive_desc_destroy(pd) }
            var p: dnnl_primitive_t?
            try check(dnnl_primitive_create(&p, pd), "matmul primitive")
            matmul = p!
        }

        static func desc(dims: [Int], strides: [Int], type: dnnl_data_type_t) throws(OneDNNError) -> dnnl_memory_desc_t {
            var d = dnnl_memory_desc_t()
            var dd: dnnl_dims_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var ss: dnnl_dims_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            dd.0 = Int64(dims[0]); dd.1 = Int64(dims[1]); ss.0 = Int64(strides[0]); ss.1 = Int64(strides[1])
            let status = withUnsafePointer(to: &dd) { dp in
                withUnsafePointer(to: &ss) { sp in
                    dnnl_memory_desc_init_by_strides(&d, 2, UnsafeRawPointer(dp).assumingMemoryBound(to: Int64.self),
                                                     type, UnsafeRawPointer(sp).assumingMemoryBound(to: Int64.self))
                }
            }
            try check(status, "memory description \(dims)")
            return d
        }

        static func memory(_ desc: inout dnnl_memory_desc_t, _ engine: dnnl_engine_t,
                           handle: UnsafeMutableRawPointer? = nil) throws(OneDNNError) -> dnnl_memory_t {
            var m: dnnl_memory_t?
            try check(dnnl_memory_create(&m, &desc, engine, handle), "memory object")
            return m!
        }

        static func reorder(from: inout dnnl_memory_desc_t, to: inout dnnl_memory_desc_t,
                            _ engine: dnnl_engine_t) throws(OneDNNError) -> dnnl_primitive_t {
            var pd: dnnl_primitive_desc_t?
            try check(dnnl_reorder_primitive_desc_create(&pd, &from, engine, &to, engine, nil), "fp32 -> bf16 reorder")
            defer { dnnl_primitive_desc_destroy(pd) }
            var p: dnnl_primitive_t?
            try check(dnnl_primitive_create(&p, pd), "reorder primitive")
            return p!
        }
    }

    /// The oneDNN library's version, such as "2.6.3".
    public static var version: String {
        let v = dnnl_version().pointee
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    private let engine: dnnl_engine_t
    private let stream: dnnl_stream_t
    /// Plans by key. The lock also serialises execution: plans rebind shared memory objects.
    private let plans = Mutex<[Key: Plan]>([:])

    private init() {
        var e: dnnl_engine_t?, s: dnnl_stream_t?
        precondition(dnnl_engine_create(&e, dnnl_cpu, 0) == dnnl_success, "oneDNN: no CPU engine")
        precondition(dnnl_stream_create(&s, e, dnnl_stream_default_flags.rawValue) == dnnl_success, "oneDNN: no stream")
        engine = e!; stream = s!
    }

    /// `c = alpha * op(a) op(b) + beta * c`; see `gemm`.
    func multiply(_ key: Key, a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>) {
        plans.withLock { plans in
            let plan: Plan
            if let p = plans[key] { plan = p } else {
                do { plan = try Plan(key: key, engine: engine) } catch { fatalError("oneDNN: \(error)") }
                plans[key] = plan
            }
            dnnl_memory_set_data_handle(plan.a, a)
            dnnl_memory_set_data_handle(plan.b, b)
            dnnl_memory_set_data_handle(plan.c, c)
            if let roundA = plan.roundA, let roundB = plan.roundB, let a16 = plan.a16, let b16 = plan.b16 {
                run(roundA, (DNNL_ARG_FROM, plan.a), (DNNL_ARG_TO, a16))
                run(roundB, (DNNL_ARG_FROM, plan.b), (DNNL_ARG_TO, b16))
                run(plan.matmul, (DNNL_ARG_SRC, a16), (DNNL_ARG_WEIGHTS, b16), (DNNL_ARG_DST, plan.c))
            } else {
                run(plan.matmul, (DNNL_ARG_SRC, plan.a), (DNNL_ARG_WEIGHTS, plan.b), (DNNL_ARG_DST, plan.c))
            }
        }
    }

    /// Executes `primitive` on two or three (argument, memory) pairs; a tuple, so no heap allocation.
    private func run(_ primitive: dnnl_primitive_t, _ first: (Int32, dnnl_memory_t), _ second: (Int32, dnnl_memory_t),
                     _ third: (Int32, dnnl_memory_t)? = nil) {
        var args = (dnnl_exec_arg_t(arg: first.0, memory: first.1), dnnl_exec_arg_t(arg: second.0, memory: second.1),
                    dnnl_exec_arg_t(arg: third?.0 ?? 0, memory: third?.1))
        let n: Int32 = third == nil ? 2 : 3
        let status = withUnsafeMutableBytes(of: &args) { raw in
            dnnl_primitive_execute(primitive, stream, n, raw.bindMemory(to: dnnl_exec_arg_t.self).baseAddress)
        }
        precondition(status == dnnl_success, "oneDNN: execution failed (status \(status.rawValue))")
    }
}

/// A oneDNN call that failed: what was being built, and oneDNN's status code.
struct OneDNNError: Error, CustomStringConvertible {
    let what: String, status: dnnl_status_t
    var description: String { "could not create \(what) (oneDNN status \(status.rawValue))" }
}

@inline(__always) private func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) throws(OneDNNError) {
    if status != dnnl_success { throw OneDNNError(what: what(), status: status) }
}
