import Foundation

/// Encodes events in the current wire format and decodes every version still in the log.
///
/// Decoding is strict and total: any input yields an `OrderEvent` or an
/// `OrderEventDecodingError`, never a crash. Fields unknown to a known version are ignored
/// (producers may add optional fields within a version); an unknown type or a newer version is
/// an error. Version 1 events are upcast to the current model on read.
public enum OrderEventCodec {
    public static func encode(_ event: OrderEvent) -> [UInt8] {
        // Encoding our own value types cannot fail.
        Array(try! encoder.encode(WireV2(event)))
    }

    public static func decode(_ bytes: [UInt8]) throws(OrderEventDecodingError) -> OrderEvent {
        let event: OrderEvent
        if let read = CurrentVersionReader.event(bytes) { event = read } else { event = try decodeWithJSONDecoder(bytes) }
        try validate(event)
        return event
    }

    /// The reference decoding: every version, unknown fields ignored, and an error that names the
    /// field for anything else. `CurrentVersionReader` answers for the common case, and only where
    /// this would give the same event.
    static func decodeWithJSONDecoder(_ bytes: [UInt8]) throws(OrderEventDecodingError) -> OrderEvent {
        do {
            // One parse: the version and type are read first, then that version's envelope.
            return try decoder.decode(AnyVersion.self, from: Data(bytes)).event
        } catch let error as OrderEventDecodingError {
            throw error
        } catch let error as DecodingError {
            throw Self.describe(error)
        } catch {
            throw .malformedJSON("\(error)")
        }
    }

    /// Any version still in the log, told apart by `schemaVersion` before the rest is read.
    private struct AnyVersion: Decodable {
        let event: OrderEvent

        private enum Keys: String, CodingKey { case schemaVersion, type }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            guard let version = try? container.decode(Int.self, forKey: .schemaVersion) else {
                throw OrderEventDecodingError.invalidField("schemaVersion", "missing or not an integer")
            }
            guard (1...OrderEvent.currentSchemaVersion).contains(version) else {
                throw OrderEventDecodingError.unsupportedSchemaVersion(version)
            }
            guard let typeName = try? container.decode(String.self, forKey: .type) else {
                throw OrderEventDecodingError.invalidField("type", "missing or not a string")
            }
            guard OrderEventType(rawValue: typeName) != nil else { throw OrderEventDecodingError.unknownEventType(typeName) }
            event = version == 1 ? try WireV1(from: decoder).event(\.upcast) : try WireV2(from: decoder).event { $0 }
        }
    }

    /// Checks what the types cannot: the event agrees with itself and with the lifecycle.
    public static func validate(_ event: OrderEvent) throws(OrderEventDecodingError) {
        if event.orderID.isEmpty { throw .invalidEvent("orderId is empty") }
        if event.sequence < 1 { throw .invalidEvent("sequence \(event.sequence) is not >= 1") }
        if event.order.status != event.type.resultingStatus {
            throw .invalidEvent(
                "type \(event.type.rawValue) implies status \(event.type.resultingStatus.rawValue), but order.status is \(event.order.status.rawValue)"
            )
        }
        if event.type == .created && event.sequence != 1 {
            throw .invalidEvent("order.created must have sequence 1, has \(event.sequence)")
        }
        if event.type.requiresReason && (event.reason ?? "").isEmpty { throw .invalidEvent("\(event.type.rawValue) needs a reason") }
        if !event.type.requiresReason && event.reason != nil { throw .invalidEvent("\(event.type.rawValue) takes no reason") }
        if event.order.items.isEmpty { throw .invalidEvent("order has no items") }
        if event.order.items.contains(where: { $0.quantity < 1 || $0.unitPriceCents < 0 }) {
            throw .invalidEvent("an item has a quantity below 1 or a negative price")
        }
        if event.order.totalCents != event.order.itemsTotalCents {
            throw .invalidEvent("totalCents \(event.order.totalCents) is not the items' total \(event.order.itemsTotalCents)")
        }
        let needsCourier: Set<OrderStatus> = [.courierAssigned, .pickedUp, .outForDelivery, .delivered, .deliveryFailed]
        if needsCourier.contains(event.order.status) && event.order.courier == nil {
            throw .invalidEvent("an order that is \(event.order.status.rawValue) must name its courier")
        }
    }

    // MARK: - JSON settings (stable output: sorted keys, UTC milliseconds)

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = Timestamp.parse(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 timestamp")
        }
        return decoder
    }()

    private static func describe(_ error: DecodingError) -> OrderEventDecodingError {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(
                of: ".[", with: "[")
        }
        switch error {
        // Nothing decoded yet: the bytes are not JSON, or not a JSON object.
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .malformedJSON(
                "\((context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] ?? context.debugDescription)")
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .malformedJSON("the top level is not an object")
        case .keyNotFound(let key, let context): return .invalidField(path(context, key), "missing")
        case .typeMismatch(_, let context): return .invalidField(path(context), context.debugDescription)
        case .valueNotFound(_, let context): return .invalidField(path(context), "null where a value is required")
        case .dataCorrupted(let context): return .invalidField(path(context), context.debugDescription)
        @unknown default: return .malformedJSON("\(error)")
        }
    }
}
