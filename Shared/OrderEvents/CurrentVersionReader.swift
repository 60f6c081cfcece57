import Foundation

/// Reads an event in the current wire format straight from its bytes, in one pass, without
/// Foundation's `JSONDecoder` (which bounded every consumer at ~57k events/s per core).
///
/// It is a fast path only. It accepts a strict subset of what `OrderEventCodec`'s `JSONDecoder`
/// path accepts and yields the same value for it: schema version 2, every field known, no key
/// twice, strings without escapes, integers without fraction or exponent. Anything else — an
/// older version, an added field, an escaped quote, a malformed record — returns `nil`, and the
/// caller decodes the bytes again with `JSONDecoder`, which either reads them or says precisely what
/// is wrong. So error messages, upcasting and tolerance of new fields live in one place, and
/// the tests check that wherever this reader answers, the answer equals `JSONDecoder`'s.
enum CurrentVersionReader {
    static func event(_ bytes: [UInt8]) -> OrderEvent? {
        bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(buffer)
            guard let event = try? cursor.envelope(), cursor.atEnd else { return nil }
            return event
        }
    }
}

/// The reader declines; the `JSONDecoder` path decides. Carries nothing, so throwing it is cheap.
private struct Declined: Error {}

/// A position in a JSON text, with readers for exactly the shapes the current version writes.
private struct JSONCursor {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Only whitespace left.
    var atEnd: Bool {
        mutating get {
            skipWhitespace()
            return index == bytes.count
        }
    }

    // MARK: - The envelope and the order snapshot

    mutating func envelope() throws(Declined) -> OrderEvent {
        var version: Int?
        var eventID: UUID?
        var type: OrderEventType?
        var orderID: String?
        var sequence: Int?
        var occurredAt: Date?
        var producer: String?
        var order: OrderSnapshot?
        var reason: String??
        try members { cursor, key throws(Declined) in
            switch key {
            case "schemaVersion": try once(&version, cursor.integer())
            case "eventId": try once(&eventID, cursor.uuid())
            case "type": try once(&type, OrderEventType(rawValue: cursor.string()))
            case "orderId": try once(&orderID, cursor.string())
            case "sequence": try once(&sequence, cursor.integer())
            case "occurredAt": try once(&occurredAt, cursor.date())
            case "producer": try once(&producer, cursor.string())
            case "order": try once(&order, cursor.snapshot())
            case "reason": try once(&reason, cursor.nullOr { cursor throws(Declined) in try cursor.string() })
            default: throw Declined()
            }
        }
        guard version == OrderEvent.currentSchemaVersion, let eventID, let type, let orderID, let sequence, let occurredAt, let producer,
            let order
        else { throw Declined() }
        return OrderEvent(
            eventID: eventID, type: type, orderID: orderID, sequence: sequence, occurredAt: occurredAt, producer: producer, order: order,
            reason: reason ?? nil)
    }

    private mutating func snapshot() throws(Declined) -> OrderSnapshot {
        var status: OrderStatus?
        var customer: OrderSnapshot.Customer?
        var restaurant: OrderSnapshot.Restaurant?
        var region: String?
        var items: [OrderSnapshot.Item]?
        var totalCents: Int?
        var currency: String?
        var promisedBy: Date?
        var courier: OrderSnapshot.Courier??
        try members { cursor, key throws(Declined) in
            switch key {
            case "status": try once(&status, OrderStatus(rawValue: cursor.string()))
            case "customer":
                let (id, name) = try cursor.idAndName()
                try once(&customer, .init(id: id, name: name))
            case "restaurant": try once(&restaurant, cursor.restaurant())
            case "region": try once(&region, cursor.string())
            case "items": try once(&items, cursor.items())
            case "totalCents": try once(&totalCents, cursor.integer())
            case "currency": try once(&currency, cursor.string())
            case "courier":
                try once(
                    &courier,
                    cursor.nullOr { cursor throws(Declined) in
                        let (id, name) = try cursor.idAndName()
                        return OrderSnapshot.Courier(id: id, name: name)
                    })
            case "promisedBy": try once(&promisedBy, cursor.date())
            default: throw Declined()
            }
        }
        guard let status, let customer, let restaurant, let region, let items, let totalCents, let currency, let promisedBy else {
            throw Declined()
        }
        return OrderSnapshot(
            status: status, customer: customer, restaurant: restaurant, region: region, items: items, totalCents: totalCents,
            currency: currency, courier: courier ?? nil, promisedBy: promisedBy)
    }

    /// `{"id": …, "name": …}` (customer, courier).
    private mutating func idAndName() throws(Declined) -> (String, String) {
        var id: String?
        var name: String?
        try members { cursor, key throws(Declined) in
            switch key {
            case "id": try once(&id, cursor.string())
            case "name": try once(&name, cursor.string())
            default: throw Declined()
            }
        }
        guard let id, let name else { throw Declined() }
        return (id, name)
    }

    private mutating func restaurant() throws(Declined) -> OrderSnapshot.Restaurant {
        var id: String?
        var name: String?
        var region: String?
        try members { cursor, key throws(Declined) in
            switch key {
            case "id": try once(&id, cursor.string())
            case "name": try once(&name, cursor.string())
            case "region": try once(&region, cursor.string())
            default: throw Declined()
            }
        }
        guard let id, let name, let region else { throw Declined() }
        return .init(id: id, name: name, region: region)
    }

    private mutating func items() throws(Declined) -> [OrderSnapshot.Item] {
        var items: [OrderSnapshot.Item] = []
        try elements { cursor throws(Declined) in
            var sku: String?
            var name: String?
            var quantity: Int?
            var unitPriceCents: Int?
            try cursor.members { cursor, key throws(Declined) in
                switch key {
                case "sku": try once(&sku, cursor.string())
                case "name": try once(&name, cursor.string())
                case "quantity": try once(&quantity, cursor.integer())
                case "unitPriceCents": try once(&unitPriceCents, cursor.integer())
                default: throw Declined()
                }
            }
            guard let sku, let name, let quantity, let unitPriceCents else { throw Declined() }
            items.append(.init(sku: sku, name: name, quantity: quantity, unitPriceCents: unitPriceCents))
        }
        return items
    }

    // MARK: - JSON values

    /// An object's members in order; `body` reads each value. Keys are short, so `String`s stay inline.
    private mutating func members(_ body: (inout JSONCursor, String) throws(Declined) -> Void) throws(Declined) {
        try sequence(open: UInt8(ascii: "{"), close: UInt8(ascii: "}")) { cursor throws(Declined) in
            let key = try cursor.string()
            try cursor.expect(UInt8(ascii: ":"))
            try body(&cursor, key)
        }
    }

    private mutating func elements(_ body: (inout JSONCursor) throws(Declined) -> Void) throws(Declined) {
        try sequence(open: UInt8(ascii: "["), close: UInt8(ascii: "]"), body)
    }

    /// `open`, then items separated by commas (none is fine, a trailing comma is not), then `close`.
    private mutating func sequence(open: UInt8, close: UInt8, _ item: (inout JSONCursor) throws(Declined) -> Void) throws(Declined) {
        try expect(open)
        skipWhitespace()
        if peek == close {
            index += 1
            return
        }
        while true {
            try item(&self)
            skipWhitespace()
            guard let next = peek, next == UInt8(ascii: ",") || next == close else { throw Declined() }
            index += 1
            if next == close { return }
        }
    }

    /// A string without escapes or control characters, valid UTF-8.
    private mutating func string() throws(Declined) -> String {
        let text = try stringBytes()
        // ASCII (nearly every string here) needs no validation; anything else is checked.
        if !text.contains(where: { $0 >= 0x80 }) { return String(decoding: text, as: UTF8.self) }
        guard let validated = String(validating: text, as: UTF8.self) else { throw Declined() }
        return validated
    }

    private mutating func stringBytes() throws(Declined) -> UnsafeBufferPointer<UInt8> {
        try expect(UInt8(ascii: "\""))
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])
            }
            // Escapes are left to JSONDecoder; raw control characters are invalid JSON.
            if byte == UInt8(ascii: "\\") || byte < 0x20 { throw Declined() }
            index += 1
        }
        throw Declined()
    }

    /// The canonical lowercase form only (`8-4-4-4-12` hex digits), which `UUID(uuidString:)`
    /// reads the same; any other spelling declines. Foundation parses with `sscanf`, a tenth of
    /// a decode's time.
    private mutating func uuid() throws(Declined) -> UUID {
        let text = try stringBytes()
        guard text.count == 36 else { throw Declined() }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &uuid) { raw in
            var position = 0
            for index in 0..<16 {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard text[position] == UInt8(ascii: "-") else { return false }
                    position += 1
                }
                guard let high = Self.hexDigit(text[position]), let low = Self.hexDigit(text[position + 1]) else { return false }
                raw[index] = high << 4 | low
                position += 2
            }
            return true
        }
        guard valid else { throw Declined() }
        return UUID(uuid: uuid)
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// `-?(0|[1-9][0-9]*)` that fits an `Int`; a fraction, an exponent or `-0` declines.
    private mutating func integer() throws(Declined) -> Int {
        skipWhitespace()
        let negative = peek == UInt8(ascii: "-")
        if negative { index += 1 }
        let start = index
        var value = 0
        while index < bytes.count, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10 {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(digit))
            if overflow1 || overflow2 { throw Declined() }
            value = sum
            index += 1
        }
        let digits = index - start
        if digits == 0 || (digits > 1 && bytes[start] == UInt8(ascii: "0")) || (negative && value == 0) { throw Declined() }
        if let next = peek, next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { throw Declined() }
        return negative ? -value : value
    }

    /// The same parsing as the `JSONDecoder` path's date strategy.
    private mutating func date() throws(Declined) -> Date {
        guard let date = Timestamp.parse(try string()) else { throw Declined() }
        return date
    }

    /// `null`, or what `value` reads.
    private mutating func nullOr<Value>(_ value: (inout JSONCursor) throws(Declined) -> Value) throws(Declined) -> Value? {
        skipWhitespace()
        guard index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n") else { return try value(&self) }
        guard bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l") else {
            throw Declined()
        }
        index += 4
        return nil
    }

    // MARK: - Bytes

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func expect(_ byte: UInt8) throws(Declined) {
        skipWhitespace()
        guard peek == byte else { throw Declined() }
        index += 1
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }
}

/// Stores a member's value; a key seen twice, or a value of the wrong kind (`nil`), declines.
private func once<Value>(_ slot: inout Value?, _ value: Value?) throws(Declined) {
    guard slot == nil, let value else { throw Declined() }
    slot = value
}
