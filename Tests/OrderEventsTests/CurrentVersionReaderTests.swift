import Foundation
import Testing

@testable import OrderEvents

/// The hand-written reader is a fast path for `JSONDecoder`: wherever it answers, the answer must be
/// `JSONDecoder`'s; where it declines, decoding still succeeds or fails exactly as before.
@Suite("Current-version reader agrees with JSONDecoder")
struct CurrentVersionReaderTests {
    /// What `JSONDecoder` makes of the bytes: an event or an error code.
    static func reference(_ bytes: [UInt8]) -> Result<OrderEvent, OrderEventDecodingError> {
        Result { () throws(OrderEventDecodingError) in try OrderEventCodec.decodeWithJSONDecoder(bytes) }
    }

    @Test("Reads every golden version-2 file and declines every version-1 file", arguments: OrderEventType.allCases)
    func goldenFiles(type: OrderEventType) throws {
        let current = try GoldenFileTests.golden(2, type)
        let read = try #require(CurrentVersionReader.event(current), "the reader declined the golden \(type.rawValue)")
        #expect(read == OrderEventFixtures.event(type))
        #expect(try Self.reference(current).get() == read)
        #expect(CurrentVersionReader.event(try GoldenFileTests.golden(1, type)) == nil)
    }

    @Test("Reads random legal lifecycles (1,000 orders) exactly as encoded")
    func randomLifecycles() throws {
        var generator = SeededGenerator(seed: 7)
        var events = 0
        for index in 0..<1_000 {
            for event in OrderEventFixtures.randomLifecycle(orderID: "ord-\(index)", using: &generator) {
                let read = try #require(CurrentVersionReader.event(OrderEventCodec.encode(event)))
                #expect(read == event)
                events += 1
            }
        }
        print("current-version reader: \(events) random events read back equal")
    }

    @Test("Other spellings of the same event: read equal, or declined and decoded by JSONDecoder")
    func spellings() throws {
        let event = OrderEventFixtures.event(.courierAssigned)
        let text = String(decoding: OrderEventCodec.encode(event), as: UTF8.self)
        let readEqual = [
            // Whitespace anywhere JSON allows it, and keys in another order.
            text.replacingOccurrences(of: "\":", with: "\" :\n\t").replacingOccurrences(of: ",\"", with: " , \"").replacingOccurrences(
                of: "{", with: "{ "),
            " \n" + text + "\r\n",
            #"{"order":"# + text.components(separatedBy: #""order":"#)[1].dropLast() + ","
                + text.components(separatedBy: #","order":"#)[0].dropFirst() + "}",
        ]
        for spelling in readEqual {
            #expect(CurrentVersionReader.event(Array(spelling.utf8)) == event, "\(spelling)")
        }
        let declinedButValid = [
            text.replacingOccurrences(of: "Ada Lovelace", with: #"Ada \"The Countess\" Lovelace"#),  // an escape
            text.replacingOccurrences(of: #""producer""#, with: #""addedLater":[1,{"x":null}],"producer""#),  // an unknown field
            text.replacingOccurrences(of: #""quantity":2"#, with: #""quantity":2.0"#),
            text.replacingOccurrences(of: "8d6f3c1e-2b4a", with: "8D6F3C1E-2B4A"),  // a UUID in capitals
            text.replacingOccurrences(of: #""sequence":6"#, with: #""sequence":6,"sequence":6"#),  // a key twice
        ]
        for spelling in declinedButValid {
            #expect(CurrentVersionReader.event(Array(spelling.utf8)) == nil, "\(spelling)")
            if case .success(let decoded) = Self.reference(Array(spelling.utf8)) {
                #expect(try OrderEventCodec.decode(Array(spelling.utf8)) == decoded)
            }
        }
        let escaped = text.replacingOccurrences(of: "Ada Lovelace", with: #"Ada \"The Countess\" Lovelace"#)
        #expect(try OrderEventCodec.decode(Array(escaped.utf8)).order.customer.name == #"Ada "The Countess" Lovelace"#)
    }

    /// 30,000 damaged records (bytes changed, inserted, deleted, swapped for JSON's own characters,
    /// cut short): every record the reader accepts, `JSONDecoder` accepts as the same event.
    @Test("Damaged records: whatever the reader accepts, JSONDecoder reads the same")
    func damagedRecords() throws {
        var generator = SeededGenerator(seed: 11)
        let originals = OrderEventType.allCases.map { OrderEventCodec.encode(OrderEventFixtures.event($0)) }
        let significant = Array(#"{}[]:,"\ -0123456789.eEnulltrfas"#.utf8) + [0x00, 0x1f, 0x7f, 0xc3, 0xff]
        var readByBoth = 0
        var declined = 0
        var disagreements: [String] = []
        for _ in 0..<30_000 {
            var bytes = originals.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0..<max(1, bytes.count), using: &generator)
                switch Int.random(in: 0..<5, using: &generator) {
                case 0 where !bytes.isEmpty: bytes[position] = significant.randomElement(using: &generator)!
                case 1: bytes.insert(significant.randomElement(using: &generator)!, at: min(position, bytes.count))
                case 2 where !bytes.isEmpty: bytes.remove(at: position)
                case 3: bytes = Array(bytes.prefix(position))
                default: if !bytes.isEmpty { bytes[position] = UInt8.random(in: 0...255, using: &generator) }
                }
            }
            guard let read = CurrentVersionReader.event(bytes) else {
                declined += 1
                continue
            }
            if case .success(let reference) = Self.reference(bytes), reference == read {
                readByBoth += 1
            } else {
                disagreements.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        print(
            "current-version reader, damaged records: \(readByBoth) read equal by both, \(declined) declined, \(disagreements.count) disagreements"
        )
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        // Damage inside a name or id leaves a valid event; the comparison must have been exercised.
        #expect(readByBoth > 1_000)
    }
}
