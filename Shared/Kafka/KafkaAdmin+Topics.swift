internal import CRdKafka

extension KafkaAdmin {
    /// Creates a topic. Throws a `KafkaError` with `brokerCodeName == "TOPIC_ALREADY_EXISTS"` if
    /// it exists; `ensureTopic` treats that as success.
    public func createTopic(_ topic: NewTopic) async throws(KafkaError) {
        try await request("create topic \(topic.name)") { rk, options, queue in
            var errorText = [CChar](repeating: 0, count: 256)
            var newTopic = rd_kafka_NewTopic_new(
                topic.name, Int32(topic.partitions), Int32(topic.replicationFactor), &errorText, errorText.count)
            defer { rd_kafka_NewTopic_destroy(newTopic) }
            for (key, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                _ = rd_kafka_NewTopic_set_config(newTopic, key, value)
            }
            rd_kafka_CreateTopics(rk, &newTopic, 1, options, queue)
        } extract: { event throws(KafkaError) in
            var count = 0
            let topics = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
            try Self.checkTopicResults(topics, count, "create topic \(topic.name)")
        }
    }

    /// Creates the topic unless it exists. Returns true if this call created it. An existing topic
    /// is left as it is (partition counts are not changed behind anyone's back).
    @discardableResult
    public func ensureTopic(_ topic: NewTopic) async throws(KafkaError) -> Bool {
        do {
            try await createTopic(topic)
            return true
        } catch  where error.brokerCode == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS.rawValue {
            return false
        }
    }

    /// The topic's configuration entries (DescribeConfigs).
    public func topicConfigs(_ topic: String) async throws(KafkaError) -> [ConfigEntry] {
        try await request("describe configs of \(topic)") { rk, options, queue in
            var resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)
            defer { rd_kafka_ConfigResource_destroy(resource) }
            rd_kafka_DescribeConfigs(rk, &resource, 1, options, queue)
        } extract: { event throws(KafkaError) -> [ConfigEntry] in
            let result = rd_kafka_event_DescribeConfigs_result(event)
            var count = 0
            guard let resources = rd_kafka_DescribeConfigs_result_resources(result, &count), count > 0 else { return [] }
            let resource = resources[0]
            try check(rd_kafka_ConfigResource_error(resource), "describe configs of \(topic)")
            var entryCount = 0
            guard let entries = rd_kafka_ConfigResource_configs(resource, &entryCount) else { return [] }
            return (0..<entryCount).map { index in
                let entry = entries[index]
                return ConfigEntry(
                    name: String(cString: rd_kafka_ConfigEntry_name(entry)),
                    value: rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) },
                    isDefault: rd_kafka_ConfigEntry_is_default(entry) != 0,
                    isReadOnly: rd_kafka_ConfigEntry_is_read_only(entry) != 0,
                    isSensitive: rd_kafka_ConfigEntry_is_sensitive(entry) != 0
                )
            }
            .sorted { $0.name < $1.name }
        }
    }

    /// Grows a topic to `totalCount` partitions. Keys hash differently afterwards, so per-key
    /// ordering only holds for records produced after the change. Unsupported by the local Tansu
    /// broker (UNSUPPORTED_FEATURE; docs/LOCAL-BROKER.md).
    public func createPartitions(_ topic: String, totalCount: Int) async throws(KafkaError) {
        try await request("create partitions of \(topic)") { rk, options, queue in
            var errorText = [CChar](repeating: 0, count: 256)
            var partitions = rd_kafka_NewPartitions_new(topic, totalCount, &errorText, errorText.count)
            defer { rd_kafka_NewPartitions_destroy(partitions) }
            rd_kafka_CreatePartitions(rk, &partitions, 1, options, queue)
        } extract: { event throws(KafkaError) in
            var count = 0
            let topics = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(event), &count)
            try Self.checkTopicResults(topics, count, "create partitions of \(topic)")
        }
    }

    /// Deletes a topic and every record in it. Its consumer groups keep their committed offsets,
    /// which lie beyond the log end of a topic later created under the same name.
    public func deleteTopic(_ topic: String) async throws(KafkaError) {
        try await request("delete topic \(topic)") { rk, options, queue in
            var deletion = rd_kafka_DeleteTopic_new(topic)
            defer { rd_kafka_DeleteTopic_destroy(deletion) }
            rd_kafka_DeleteTopics(rk, &deletion, 1, options, queue)
        } extract: { event throws(KafkaError) in
            var count = 0
            let topics = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
            try Self.checkTopicResults(topics, count, "delete topic \(topic)")
        }
    }

    /// Sets (a value) or removes (nil: back to the broker's default) topic configs, leaving the
    /// others as they are (IncrementalAlterConfigs).
    public func alterTopicConfigs(_ topic: String, _ changes: [String: String?]) async throws(KafkaError) {
        // What librdkafka would refuse while the request is assembled is refused here, with a reason:
        // the assembling step cannot report one.
        for (name, value) in changes where name.isEmpty || value?.isEmpty == true {
            throw KafkaError(.admin, "alter configs of \(topic): \(name)=\(value ?? ""): a config needs a name and, to set it, a value")
        }
        try await request("alter configs of \(topic)") { rk, options, queue in
            var resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)
            defer { rd_kafka_ConfigResource_destroy(resource) }
            for (name, value) in changes.sorted(by: { $0.key < $1.key }) {
                let operation = value == nil ? RD_KAFKA_ALTER_CONFIG_OP_TYPE_DELETE : RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET
                if let error = rd_kafka_ConfigResource_add_incremental_config(resource, name, operation, value) {
                    rd_kafka_error_destroy(error)
                }
            }
            rd_kafka_IncrementalAlterConfigs(rk, &resource, 1, options, queue)
        } extract: { event throws(KafkaError) in
            var count = 0
            let resources = rd_kafka_IncrementalAlterConfigs_result_resources(rd_kafka_event_IncrementalAlterConfigs_result(event), &count)
            guard let resources, count > 0 else { return }
            try check(rd_kafka_ConfigResource_error(resources[0]), "alter configs of \(topic)")
        }
    }

    /// Throws the first per-topic error of a CreateTopics/CreatePartitions/DeleteTopics result.
    private static func checkTopicResults(_ topics: UnsafeMutablePointer<OpaquePointer?>?, _ count: Int, _ what: String) throws(KafkaError)
    {
        guard let topics else { return }
        for index in 0..<count {
            let code = rd_kafka_topic_result_error(topics[index])
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                let reason = rd_kafka_topic_result_error_string(topics[index]).map { String(cString: $0) }
                throw KafkaError(rdError: code, context: what, reason: reason)
            }
        }
    }
}
