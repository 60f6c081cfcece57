public import Hummingbird
public import ServiceAPI

// `/decisions` is served by orders and by the consumer services that decide.
extension DecisionsReport: ResponseEncodable {}
