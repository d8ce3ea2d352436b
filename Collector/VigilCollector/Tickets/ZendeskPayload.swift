import VigilWire

/// The Zendesk ticket shape (its Tickets API object, which Zendesk triggers and webhooks send as
/// `{"ticket": {...}}`), mapped onto a ``TicketInput``. README "Tickets" documents the mapping.
///
/// | Zendesk | Vigil |
/// | --- | --- |
/// | `id` | `external_id` as `zendesk-<id>` |
/// | `subject` | `title` |
/// | `requester.name` (or `.email`, or `requester_id`) | `requester` |
/// | `organization.name` (or `organization_id`) | `organisation` |
/// | `priority` (low, normal, high, urgent; null → normal) | `priority` |
/// | `type` (question, incident, problem, task) | `category` |
/// | `tags` | service tags |
/// | `status` (new, open, pending, hold, solved, closed) at `updated_at` | `status` (`hold` → `on_hold`) |
/// | `created_at`, `updated_at` | the same |
/// | `satisfaction_rating.score` good / bad (offered, unoffered: none) | `satisfaction` |
/// | `metric_set.reply_time_in_minutes.calendar` | `first_reply_at` = created + minutes |
/// | `metric_set.solved_at` | `solved_at` |
struct ZendeskPayload: Decodable {
    struct Person: Decodable {
        var name: String?
        var email: String?
    }

    struct Organization: Decodable {
        var name: String?
    }

    struct Rating: Decodable {
        var score: String?
    }

    struct Minutes: Decodable {
        var calendar: Int64?
    }

    struct MetricSet: Decodable {
        var replyTimeInMinutes: Minutes?
        var solvedAt: String?

        enum CodingKeys: String, CodingKey {
            case replyTimeInMinutes = "reply_time_in_minutes", solvedAt = "solved_at"
        }
    }

    struct ZTicket: Decodable {
        var id: Int64
        var subject: String?
        var status: String?
        var priority: String?
        var type: String?
        var tags: [String]?
        var createdAt: String
        var updatedAt: String?
        var requester: Person?
        var requesterID: Int64?
        var organization: Organization?
        var organizationID: Int64?
        var satisfactionRating: Rating?
        var metricSet: MetricSet?

        enum CodingKeys: String, CodingKey {
            case id, subject, status, priority, type, tags, requester, organization
            case createdAt = "created_at", updatedAt = "updated_at", requesterID = "requester_id"
            case organizationID = "organization_id", satisfactionRating = "satisfaction_rating", metricSet = "metric_set"
        }
    }

    var ticket: ZTicket

    /// The Vigil form.
    var input: TicketInput {
        var firstReply: String?
        if let minutes = ticket.metricSet?.replyTimeInMinutes?.calendar, let created = ISOTime.parse(ticket.createdAt) {
            firstReply = ISOTime.format(ms: created + minutes * 60_000)
        }
        let score = ticket.satisfactionRating?.score?.lowercased()
        return TicketInput(
            externalID: "zendesk-\(ticket.id)", title: ticket.subject,
            requester: ticket.requester?.name ?? ticket.requester?.email ?? ticket.requesterID.map { "zendesk-user-\($0)" },
            organisation: ticket.organization?.name ?? ticket.organizationID.map { "zendesk-org-\($0)" },
            priority: ticket.priority, category: ticket.type, tags: ticket.tags, createdAt: ticket.createdAt,
            status: ticket.status, updatedAt: ticket.updatedAt, firstReplyAt: firstReply, solvedAt: ticket.metricSet?.solvedAt,
            satisfaction: score == "good" || score == "bad" ? score : nil
        )
    }
}
