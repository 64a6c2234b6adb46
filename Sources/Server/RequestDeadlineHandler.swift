import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client is too slow: a request must arrive whole (head and body) within
/// `readTimeout` of when the server started waiting for it (the connection opened, or the last response was
/// sent), and each response must be taken by the client within `writeTimeout`. A client that sends a byte
/// a second (slowloris), keeps an idle connection, or stops reading its response holds a connection for
/// at most that long.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let readTimeout: TimeAmount
    let writeTimeout: TimeAmount
    private var readDeadline: Scheduled<Void>?
    private var writeDeadline: Scheduled<Void>?
    private var readingRequest = false

    init(readTimeout: TimeAmount, writeTimeout: TimeAmount) {
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armRead(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancelAll() }

    func channelActive(context: ChannelHandlerContext) {
        armRead(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelAll()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            readingRequest = true
            if readDeadline == nil { armRead(context) }
        case .body:
            break
        case .end:
            readingRequest = false
            readDeadline?.cancel()
            readDeadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head:
            if writeDeadline == nil { writeDeadline = schedule(context, writeTimeout) }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.assumeIsolatedUnsafeUnchecked().whenComplete { [self] _ in
                writeDeadline?.cancel()
                writeDeadline = nil
                if !readingRequest, readDeadline == nil, context.channel.isActive { armRead(context) }
            }
            context.write(data, promise: written)
        }
    }

    private func armRead(_ context: ChannelHandlerContext) {
        readDeadline?.cancel()
        readDeadline = schedule(context, readTimeout)
    }

    private func schedule(_ context: ChannelHandlerContext, _ timeout: TimeAmount) -> Scheduled<Void> {
        context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: timeout) { context.close(promise: nil) }
    }

    private func cancelAll() {
        readDeadline?.cancel()
        writeDeadline?.cancel()
        readDeadline = nil
        writeDeadline = nil
    }
}
