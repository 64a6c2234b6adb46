import CDNNL

/// The pieces of oneDNN's C API that the matmul and convolution plans share: one CPU engine, memory
/// descriptions, and reorders (layout or number-format conversions between two memories).
enum OneDNN {
    /// The CPU engine; oneDNN documents engines as safe to share between threads.
    nonisolated(unsafe) static let engine: dnnl_engine_t = {
        var e: dnnl_engine_t?
        precondition(dnnl_engine_create(&e, dnnl_cpu, 0) == dnnl_success, "oneDNN: no CPU engine")
        return e!
    }()

    /// The library's version, such as "2.6.3".
    static var version: String {
        let v = dnnl_version().pointee
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// A new in-order stream; each plan owns one, so plans on different threads never share a stream.
    static func stream() -> dnnl_stream_t {
        var s: dnnl_stream_t?
        precondition(dnnl_stream_create(&s, engine, dnnl_stream_default_flags.rawValue) == dnnl_success, "oneDNN: no stream")
        return s!
    }

    static func dims(_ values: [Int]) -> dnnl_dims_t {
        var d: dnnl_dims_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &d) { raw in
            for (i, v) in values.enumerated() { raw.storeBytes(of: Int64(v), toByteOffset: i * 8, as: Int64.self) }
        }
        return d
    }

    /// A description of `dims` laid out with `strides` (elements).
    static func desc(dims shape: [Int], strides: [Int], type: dnnl_data_type_t) throws(OneDNNError) -> dnnl_memory_desc_t {
        var d = dnnl_memory_desc_t(), dd = dims(shape), ss = dims(strides)
        let status = withUnsafePointer(to: &dd) { dp in
            withUnsafePointer(to: &ss) { sp in
                dnnl_memory_desc_init_by_strides(&d, Int32(shape.count), UnsafeRawPointer(dp).assumingMemoryBound(to: Int64.self),
                                                 type, UnsafeRawPointer(sp).assumingMemoryBound(to: Int64.self))
            }
        }
        try check(status, "memory description \(shape)")
        return d
    }

    /// A description of `dims` in format `tag` (`dnnl_format_tag_any` lets a primitive choose).
    static func desc(dims shape: [Int], tag: dnnl_format_tag_t, type: dnnl_data_type_t) throws(OneDNNError) -> dnnl_memory_desc_t {
        var d = dnnl_memory_desc_t(), dd = dims(shape)
        let status = withUnsafePointer(to: &dd) { dp in
            dnnl_memory_desc_init_by_tag(&d, Int32(shape.count), UnsafeRawPointer(dp).assumingMemoryBound(to: Int64.self), type, tag)
        }
        try check(status, "memory description \(shape)")
        return d
    }

    /// A memory object on `handle`, or on a buffer oneDNN allocates and owns when `handle` is nil.
    static func memory(_ desc: dnnl_memory_desc_t, handle: UnsafeMutableRawPointer?) throws(OneDNNError) -> dnnl_memory_t {
        var m: dnnl_memory_t?, d = desc
        let allocate = UnsafeMutableRawPointer(bitPattern: -1)  // DNNL_MEMORY_ALLOCATE
        try check(dnnl_memory_create(&m, &d, engine, handle ?? allocate), "memory object")
        return m!
    }

    /// A primitive that copies `from` into `to`, converting layout and number format (bf16: round to nearest even).
    static func reorder(from: dnnl_memory_desc_t, to: dnnl_memory_desc_t) throws(OneDNNError) -> dnnl_primitive_t {
        var pd: dnnl_primitive_desc_t?, f = from, t = to
        try check(dnnl_reorder_primitive_desc_create(&pd, &f, engine, &t, engine, nil), "reorder")
        defer { dnnl_primitive_desc_destroy(pd) }
        return try primitive(pd!)
    }

    static func primitive(_ pd: dnnl_primitive_desc_t) throws(OneDNNError) -> dnnl_primitive_t {
        var p: dnnl_primitive_t?
        try check(dnnl_primitive_create(&p, pd), "primitive")
        return p!
    }

    /// Executes `primitive` on up to four (argument, memory) pairs; a tuple, so no heap allocation.
    static func execute(_ primitive: dnnl_primitive_t, on stream: dnnl_stream_t, _ a: (Int32, dnnl_memory_t),
                        _ b: (Int32, dnnl_memory_t), _ c: (Int32, dnnl_memory_t)? = nil, _ d: (Int32, dnnl_memory_t)? = nil) {
        var args = (dnnl_exec_arg_t(arg: a.0, memory: a.1), dnnl_exec_arg_t(arg: b.0, memory: b.1),
                    dnnl_exec_arg_t(arg: c?.0 ?? 0, memory: c?.1), dnnl_exec_arg_t(arg: d?.0 ?? 0, memory: d?.1))
        let n: Int32 = c == nil ? 2 : d == nil ? 3 : 4
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

@inline(__always) func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) throws(OneDNNError) {
    if status != dnnl_success { throw OneDNNError(what: what(), status: status) }
}
