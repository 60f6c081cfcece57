public import Kafka

/// A record printed as a kcat-style format says: `%t` topic, `%p` partition, `%o` offset, `%k`
/// key, `%s` value, `%h` headers (`name=value,…`), `%T` timestamp (milliseconds since 1970),
/// `%K` and `%S` key and value sizes in bytes, `%%` a percent sign; `\n` and `\t` as escapes.
public struct RecordFormat: Sendable, Equatable {
    public static let tokens =
        "%t topic, %p partition, %o offset, %k key, %s value, %h headers, %T timestamp (ms), %K/%S key/value bytes, %%"

    enum Piece: Equatable {
        case text(String)
        case topic, partition, offset, key, value, headers, timestamp, keySize, valueSize
    }

    let pieces: [Piece]

    /// Parses `format`; an unknown `%` token is an error that lists the known ones.
    public init(_ format: String) throws(RecordFormatError) {
        var pieces: [Piece] = []
        var text = ""
        var characters = format.makeIterator()
        while let character = characters.next() {
            switch character {
            case "%":
                guard let token = characters.next() else { throw RecordFormatError(format: format, token: "%") }
                let piece: Piece
                switch token {
                case "t": piece = .topic
                case "p": piece = .partition
                case "o": piece = .offset
                case "k": piece = .key
                case "s": piece = .value
                case "h": piece = .headers
                case "T": piece = .timestamp
                case "K": piece = .keySize
                case "S": piece = .valueSize
                case "%":
                    text.append("%")
                    continue
                default: throw RecordFormatError(format: format, token: "%\(token)")
                }
                if !text.isEmpty { pieces.append(.text(text)) }
                text = ""
                pieces.append(piece)
            case "\\":
                switch characters.next() {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case let other?: text.append("\\\(other)")
                case nil: text.append("\\")
                }
            default: text.append(character)
            }
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        self.pieces = pieces
    }

    public func render(_ message: KafkaConsumerMessage) -> String {
        pieces.map { piece in
            switch piece {
            case .text(let text): text
            case .topic: message.topicPartition.topic
            case .partition: String(message.topicPartition.partition)
            case .offset: String(message.offset)
            case .key: message.keyString ?? ""
            case .value: message.valueString
            case .headers: message.headers.map { "\($0.key)=\($0.stringValue ?? "")" }.joined(separator: ",")
            case .timestamp: message.timestampMilliseconds.map(String.init) ?? ""
            case .keySize: String(message.key?.count ?? -1)
            case .valueSize: String(message.value.count)
            }
        }.joined()
    }
}

public struct RecordFormatError: Error, CustomStringConvertible {
    public var format: String
    public var token: String
    public var description: String { "--format \(format): unknown token \(token); the tokens are \(RecordFormat.tokens)" }
}
