import Foundation

/// Bodies used across the tests. Shapes follow shared/reference/genesys-cloud-api.md §2 (EventBridge
/// envelope from the Genesys blueprint fixture; recording notification from the SDK model) and the
/// seed's webhook schema.
enum Bodies {
    static let conversation = "2f7bf00a-0fc2-4d6a-9b56-92238191433e"
    static let recording = "6b1e1c4e-2f0a-4d7e-9c61-0d7f4c2b9a11"
    static let user = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"

    static func seed(
        event: String = "recording:recordingAvailable", id: String = "3f0c9a1e-delivery-1",
        recordingId: String = recording, conversationId: String? = conversation,
        extraData: String = "", correlationId: String = "evt-sub-req-8847291"
    ) -> String {
        let conv = conversationId.map { #""conversationId": "\#($0)", "# } ?? ""
        return #"""
            {"id": "\#(id)", "event": "\#(event)", "timestamp": "2026-05-01T10:05:20.000Z",
             "correlationId": "\#(correlationId)",
             "data": {"recordingId": "\#(recordingId)", \#(conv)"mediaUri": "https://prod-use1-recordings.s3.amazonaws.com/x.wav?X-Amz-Signature=ab12",
                      "participants": [{"participantId": "9fb2ca78-1e3d-4a5b-8c7f-0a9b8c7d6e5f", "purpose": "customer"}],
                      "startTime": "2026-05-01T10:00:00.000Z", "endTime": "2026-05-01T10:05:00.000Z",
                      "direction": "INBOUND", "channel": "VOICE", "tags": [{"key": "queue", "value": "billing"}]\#(extraData)}}
            """#
    }

    static func detailBody(extra: String = "", conversationId: String = conversation) -> String {
        #"""
        {"eventTime": 1649237504949, "conversationId": "\#(conversationId)", "participantId": "9fb2ca78-1e3d-4a5b-8c7f-0a9b8c7d6e5f",
         "sessionId": "c03d300e-7b8a-4c55-a1f2-5e9d0b6c4f21", "mediaType": "VOICE", "provider": "Edge",
         "direction": "INBOUND", "ani": "tel:+14155550123", "dnis": "tel:+18005550199",
         "externalContactId": "e4c2a1b0-9d8e-4f7a-b6c5-d4e3f2a1b0c9", "interactingDurationMs": 60000\#(extra)}
        """#
    }

    static func notification(
        suffix: String = "customer.end", body: String = detailBody(),
        topicConversation: String = conversation
    ) -> String {
        #"""
        {"topicName": "v2.detail.events.conversation.\#(topicConversation).\#(suffix)", "version": "2",
         "eventBody": \#(body), "metadata": {"CorrelationId": "7272d362-23b2-4c14-9d40-dc7b7683153a"}}
        """#
    }

    static func eventBridge(suffix: String = "customer.end", detailType: String? = nil, body: String = detailBody()) -> String {
        #"""
        {"version": "0", "id": "58fb5dac-2d0e-4f1b-8c3a-6e7d9f0a1b2c",
         "detail-type": "\#(detailType ?? "v2.detail.events.conversation.{id}.\(suffix)")",
         "source": "aws.partner/genesys.com/cloud/32aa07aa-5c4b-4e2d-9f1a-8b7c6d5e4f30/test-event-bus",
         "account": "123456789012", "time": "2022-06-14T16:12:11.000Z", "region": "us-east-1", "resources": [],
         "detail": \#(notification(suffix: suffix, body: body))}
        """#
    }

    static func recordingNotification(
        fileState: String? = "AVAILABLE", topicRecording: String? = nil,
        bodyConversation: String = conversation
    ) -> String {
        let state = fileState.map { #""fileState": "\#($0)", "# } ?? ""
        let suffix = topicRecording.map { ".\($0)" } ?? ""
        return #"""
            {"topicName": "v2.users.\#(user).conversations.\#(conversation).recordings\#(suffix)", "version": "2",
             "eventBody": {"id": "\#(recording)", "conversationId": "\#(bodyConversation)", \#(state)
                           "mediaUris": [{"channelId": "0", "mediaUri": "https://prod-use1-recordings.s3.amazonaws.com/a.wav?X-Amz-Signature=ab12", "waveformData": []}],
                           "estimatedTranscodeTimeMs": 0, "actualTranscodeTimeMs": 900},
             "metadata": {"CorrelationId": "0c9e8d7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f"}}
            """#
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
