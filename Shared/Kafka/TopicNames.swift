import CRdKafka

/// The names of librdkafka's topic handles, read once each: a batch's records mostly share one
/// topic, so the last handle is compared first and the dictionary (whose hashing would cost more
/// than the rest of a record's bookkeeping) is the fallback.
struct TopicNames {
    private var last: (handle: OpaquePointer, name: String)?
    private var names: [OpaquePointer: String] = [:]

    mutating func name(of handle: OpaquePointer?) -> String {
        guard let handle else { return "" }
        if let last, last.handle == handle { return last.name }
        if let name = names[handle] {
            last = (handle, name)
            return name
        }
        let name = String(cString: rd_kafka_topic_name(handle))
        names[handle] = name
        last = (handle, name)
        return name
    }
}
