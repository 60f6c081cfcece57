import Foundation
import OrderEvents
import Testing

/// Decoding is total: bad input yields a typed error that says what is wrong, never a crash.
@Suite("Decoding errors")
struct DecodingErrorTests {
    static var valid: [String: Any] {
        try! JSONSerialization.jsonObject(with: Data(OrderEventCodec.encode(OrderEventFixtures.event(.courierAssigned)))) as! [String: Any]
    }

    static func bytes(_ edit: (inout [String: Any]) -> Void) -> [UInt8] {
        var object = valid
        edit(&object)
        return Array(try! JSONSerialization.data(withJSONObject: object))
    }

    static func decodeError(_ bytes: [UInt8]) -> OrderEventDecodingError? {
        do {
            _ = try OrderEventCodec.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test("Not JSON, or not an object", arguments: ["", "{", "nope", "[1,2]", "42", "\"order\"", "{\"schemaVersion\":2,"])
    func malformed(_ text: String) {
        #expect(Self.decodeError(Array(text.utf8))?.code == "malformed_json")
    }

    @Test("Unknown type and unsupported versions are their own errors")
    func typeAndVersion() {
        #expect(Self.decodeError(Self.bytes { $0["type"] = "order.teleported" }) == .unknownEventType("order.teleported"))
        #expect(Self.decodeError(Self.bytes { $0["schemaVersion"] = 3 }) == .unsupportedSchemaVersion(3))
        #expect(Self.decodeError(Self.bytes { $0["schemaVersion"] = 0 }) == .unsupportedSchemaVersion(0))
        #expect(Self.decodeError(Self.bytes { $0["schemaVersion"] = "2" })?.code == "invalid_field")
        #expect(Self.decodeError(Self.bytes { $0["schemaVersion"] = nil })?.code == "invalid_field")
        #expect(Self.decodeError(Self.bytes { $0["type"] = nil })?.code == "invalid_field")
    }

    @Test("Missing and mistyped fields name the field")
    func fields() {
        let missingCustomer = Self.decodeError(
            Self.bytes { object in
                var order = object["order"] as! [String: Any]
                order["customer"] = nil
                object["order"] = order
            })
        #expect(missingCustomer == .invalidField("order.customer", "missing"))
        if case .invalidField(let field, _) = Self.decodeError(Self.bytes { $0["sequence"] = "six" }) {
            #expect(field == "sequence")
        } else {
            Issue.record("expected invalidField")
        }
        #expect(Self.decodeError(Self.bytes { $0["eventId"] = "not-a-uuid" }) == .invalidField("eventId", "'not-a-uuid' is not a UUID"))
        if case .invalidField(let field, _) = Self.decodeError(Self.bytes { $0["occurredAt"] = "yesterday" }) {
            #expect(field == "occurredAt")
        } else {
            Issue.record("expected invalidField")
        }
    }

    enum Contradiction: String, CaseIterable, Sendable {
        case statusDoesNotMatchType, totalIsNotItemsSum, courierMissing, reasonWhereNoneBelongs, sequenceBelowOne, emptyOrderID

        func apply(to object: inout [String: Any]) {
            var order = object["order"] as! [String: Any]
            switch self {
            case .statusDoesNotMatchType: order["status"] = "delivered"
            case .totalIsNotItemsSum: order["totalCents"] = 1
            case .courierMissing: order["courier"] = nil
            case .reasonWhereNoneBelongs: object["reason"] = "why not"
            case .sequenceBelowOne: object["sequence"] = 0
            case .emptyOrderID: object["orderId"] = ""
            }
            object["order"] = order
        }
    }

    @Test("Self-contradicting events are invalid", arguments: Contradiction.allCases)
    func invalid(_ contradiction: Contradiction) {
        #expect(Self.decodeError(Self.bytes(contradiction.apply))?.code == "invalid_event")
    }

    @Test("A rejection without a reason is invalid")
    func reasonRequired() {
        var event = OrderEventFixtures.event(.rejectedByRestaurant)
        event.reason = nil
        #expect(Self.decodeError(OrderEventCodec.encode(event))?.code == "invalid_event")
    }

    @Test("Random bytes and every truncation of a valid event decode to errors, never crash")
    func fuzz() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Self.decodeError(bytes) != nil)
        }
        let valid = OrderEventCodec.encode(OrderEventFixtures.event(.delivered))
        for length in 0..<valid.count {
            #expect(Self.decodeError(Array(valid.prefix(length))) != nil)
        }
        #expect(Self.decodeError(valid) == nil)
    }

    @Test("Errors read as instructions")
    func messages() {
        #expect(OrderEventDecodingError.unsupportedSchemaVersion(3).description.contains("upgrade the consumer"))
        #expect(OrderEventDecodingError.unknownEventType("x").description.contains("order.created"))
    }
}
