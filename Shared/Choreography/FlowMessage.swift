public import Foundation
public import OrderEvents

/// A message between the services of the choreography: an order for a kitchen, a kitchen's
/// decision, a request for a courier, a courier's progress (docs/EVENTS.md lists each topic).
///
/// Every message names its order, its producer and its place in that producer's messages about
/// that order on that topic (`sequence`, from 1): a consumer drops a message whose sequence it has
/// seen, which makes the relay's at-least-once delivery exactly-once in effect.
public struct FlowMessage: Codable, Sendable, Hashable {
    public var type: FlowMessageType
    public var orderId: String
    public var producer: String
    public var sequence: Int
    public var occurredAt: Date
    /// On kitchen and courier messages: whose kitchen, and where to pick up.
    public var restaurant: OrderSnapshot.Restaurant?
    /// On courier requests: the delivery region (the topic's key).
    public var region: String?
    /// On `kitchen.order_placed`: what to cook.
    public var items: [OrderSnapshot.Item]?
    /// On `delivery.courier_assigned`.
    public var courier: OrderSnapshot.Courier?
    /// On courier messages: which dispatch of this order (1, then one more per dropped courier).
    public var attempt: Int?
    /// On rejections, cancellations, dropped couriers and failed deliveries.
    public var reason: String?

    public init(
        type: FlowMessageType, orderId: String, producer: String, sequence: Int = 0, occurredAt: Date,
        restaurant: OrderSnapshot.Restaurant? = nil, region: String? = nil, items: [OrderSnapshot.Item]? = nil,
        courier: OrderSnapshot.Courier? = nil, attempt: Int? = nil, reason: String? = nil
    ) {
        self.type = type
        self.orderId = orderId
        self.producer = producer
        self.sequence = sequence
        self.occurredAt = occurredAt
        self.restaurant = restaurant
        self.region = region
        self.items = items
        self.courier = courier
        self.attempt = attempt
        self.reason = reason
    }

    /// The record key: what the topic is partitioned by (restaurant, region or order).
    public var key: String {
        switch type.topic {
        case .kitchenOrders: restaurant?.id ?? orderId
        case .courierRequests: region ?? orderId
        case .restaurantEvents, .deliveryEvents: orderId
        }
    }

    /// The JSON on the wire: keys sorted, times as ISO 8601 UTC with milliseconds.
    public func encoded() -> [UInt8] { Array(try! Self.encoder.encode(self)) }

    /// Decodes and checks a record's value; the error says what is wrong, for the dead-letter topic.
    public static func decode(_ bytes: [UInt8]) throws(FlowMessageError) -> FlowMessage {
        let message: FlowMessage
        do {
            message = try decoder.decode(FlowMessage.self, from: Data(bytes))
        } catch {
            throw FlowMessageError("not a flow message: \(error)")
        }
        try message.validate()
        return message
    }

    /// The fields each type needs.
    public func validate() throws(FlowMessageError) {
        guard !orderId.isEmpty, !producer.isEmpty, sequence >= 1 else {
            throw FlowMessageError("\(type.rawValue) needs an orderId, a producer and a sequence ≥ 1")
        }
        switch type {
        case .kitchenOrderPlaced:
            guard restaurant != nil, let items, !items.isEmpty else {
                throw FlowMessageError("\(type.rawValue) needs a restaurant and items")
            }
        case .kitchenOrderCancelled:
            guard restaurant != nil else { throw FlowMessageError("\(type.rawValue) needs a restaurant") }
        case .courierRequested, .courierRequestCancelled:
            guard region != nil, restaurant != nil, attempt.map({ $0 >= 1 }) ?? false else {
                throw FlowMessageError("\(type.rawValue) needs a region, a restaurant and an attempt ≥ 1")
            }
        case .courierAssigned:
            guard courier != nil, attempt != nil else { throw FlowMessageError("\(type.rawValue) needs a courier and an attempt") }
        case .courierDropped:
            guard attempt != nil, reason != nil else { throw FlowMessageError("\(type.rawValue) needs an attempt and a reason") }
        case .orderRejected, .deliveryFailed:
            guard reason != nil else { throw FlowMessageError("\(type.rawValue) needs a reason") }
        case .orderAccepted, .preparing, .readyForPickup, .pickedUp, .outForDelivery, .delivered: break
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 time: \(text)")
            }
            return date
        }
        return decoder
    }()
}

/// Why a record is not a usable flow message.
public struct FlowMessageError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
