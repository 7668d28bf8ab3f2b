"""The Python peer of Vigil's webhook receiver: Standard Webhooks verification (the `standardwebhooks`
package, which also parses the JSON) and a pydantic v2 model validating the same seed-style event.

Reads the shared payloads (`IngestPeer payloads`) and measures them as IngestPeer measures Vigil: rounds
of every delivery on one thread, the median round as events per second.

    python3 peer_receiver.py PAYLOADS.jsonl [ROUNDS]
"""
import json
import statistics
import sys
import time
from datetime import datetime
from enum import Enum
from typing import List, Optional
from uuid import UUID

from pydantic import BaseModel, HttpUrl
from standardwebhooks.webhooks import Webhook

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Direction(str, Enum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class Channel(str, Enum):
    VOICE = "VOICE"
    CHAT = "CHAT"
    EMAIL = "EMAIL"
    MESSAGE = "MESSAGE"


class Participant(BaseModel):
    participantId: UUID
    purpose: Optional[str] = None
    userId: Optional[UUID] = None


class Tag(BaseModel):
    key: str
    value: str


class Data(BaseModel):
    recordingId: UUID
    conversationId: UUID
    mediaUri: Optional[HttpUrl] = None
    participants: List[Participant] = []
    startTime: Optional[datetime] = None
    endTime: Optional[datetime] = None
    direction: Optional[Direction] = None
    channel: Optional[Channel] = None
    tags: List[Tag] = []


class Event(BaseModel):
    id: str
    event: str
    timestamp: datetime
    correlationId: Optional[str] = None
    data: Data


def main() -> None:
    path = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    deliveries = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            headers = {"webhook-id": item["id"], "webhook-timestamp": item["timestamp"],
                       "webhook-signature": item["signature"]}
            deliveries.append((item["body"].encode("utf-8"), headers))
    hook = Webhook(SECRET)
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for body, headers in deliveries:
            payload = hook.verify(body, headers)
            Event.model_validate(payload)
        rates.append(len(deliveries) / (time.perf_counter() - start))
    print(f"peer_accepted_per_second={int(statistics.median(rates))}")


if __name__ == "__main__":
    main()
