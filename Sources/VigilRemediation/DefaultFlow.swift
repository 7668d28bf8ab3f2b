extension RemediationFlow {
    /// Vigil's default remediation flow: validate the verdict, flag the recording (annotation at the
    /// offset, conversation external tag, participant attributes), then open a work item in the review
    /// queue.
    ///
    /// It needs two load parameters: `worktypeId` and `reviewQueueId` (see ``defaultFlow(worktypeId:reviewQueueId:)``).
    public static let defaultFlowJSON = #"""
        {
          "name": "VigilDefaultRemediation",
          "description": "Flag the recording and route it to the compliance review queue",
          "entryPoints": [ { "name": "ComplianceVerdict", "type": "vigil" } ],
          "blocks": [
            { "id": "validate_payload", "type": "validate_payload" },
            { "id": "tag_recording", "type": "tag_recording",
              "settings": {
                "annotation": {
                  "name": "Compliance: {data.violationType}",
                  "description": "Flagged by Vigil: {data.violationType} (verdict {data.verdict}, confidence {data.confidenceScore}, correlation {data.correlationId})",
                  "type": "bookmark"
                },
                "externalTag": "compliance-flag",
                "participantAttributes": {
                  "compliance_status": "{data.verdict}",
                  "violation_type": "{data.violationType}",
                  "compliance_correlation_id": "{data.correlationId}"
                }
              } },
            { "id": "create_work_item", "type": "create_work_item",
              "settings": {
                "target": "workitem",
                "typeId": "{params.worktypeId}",
                "queueId": "{params.reviewQueueId}",
                "priority": 10,
                "name": "Compliance review {data.violationType} {data.recordingId}",
                "description": "Recording {data.recordingId} of conversation {data.conversationId}: {data.violationType} at {data.timestampOffsetMs} ms, confidence {data.confidenceScore}, correlation {data.correlationId}."
              } }
          ],
          "transitions": [
            { "from": "ComplianceVerdict", "to": "validate_payload" },
            { "from": "validate_payload", "to": "tag_recording" },
            { "from": "tag_recording", "to": "create_work_item" }
          ]
        }
        """#

    /// Loads ``defaultFlowJSON`` with the organisation's worktype and review queue.
    ///
    /// - Throws: ``RemediationFlowError`` (for example an empty id).
    public static func defaultFlow(worktypeId: String, reviewQueueId: String) throws(RemediationFlowError)
        -> RemediationFlow
    {
        try RemediationFlow(
            json: defaultFlowJSON,
            options: LoadOptions(parameters: ["worktypeId": worktypeId, "reviewQueueId": reviewQueueId]))
    }
}
