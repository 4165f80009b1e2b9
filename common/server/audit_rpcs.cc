#include "common/server/audit_rpcs.h"

#include "absl/strings/str_cat.h"
#include "common/api/pagination.h"
#include "common/api/validation.h"
#include "common/db/audit_log.h"
#include "common/observability/metrics.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"

namespace ladder::server {

absl::Status ListAuditEventsPage(db::ConnectionPool& pool, int page_size, const std::string& page_token,
                                 const std::string& actor,
                                 google::protobuf::RepeatedPtrField<common::v1::AuditEvent>& events,
                                 std::string& next_page_token) {
  if (!actor.empty()) {
    if (absl::Status s = api::ValidateText(actor, "actor", 1, 160); !s.ok()) return s;
  }
  const std::string query = absl::StrCat("audit:", actor);
  // The token carries the id to continue below (the list runs newest first).
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(page_size, page_token, query);
  if (!page.ok()) return page.status();
  absl::StatusOr<db::AuditPage> found = db::ListAuditEvents(pool, page->after_id, page->page_size, actor);
  if (!found.ok()) return found.status();
  for (const db::StoredAuditEvent& stored : found->events) {
    common::v1::AuditEvent& event = *events.Add();
    event.set_name(absl::StrCat("auditEvents/", stored.id));
    const int64_t micros = absl::ToUnixMicros(stored.event.occurred_at);
    event.mutable_occur_time()->set_seconds(micros / 1000000);
    event.mutable_occur_time()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
    event.set_actor(stored.event.actor);
    event.set_role(stored.event.role);
    event.set_on_behalf_of(stored.event.on_behalf_of);
    event.set_method(stored.event.action);
    event.set_resource(stored.event.resource);
    event.set_request_id(stored.event.request_id);
    event.set_outcome(stored.event.outcome);
    event.set_before_json(stored.event.before_json);
    event.set_after_json(stored.event.after_json);
    event.set_trace_id(stored.event.trace_id);
    event.set_previous_hash(stored.previous_hash);
    event.set_hash(stored.hash);
  }
  next_page_token = found->next_before_id == 0 ? "" : api::MakePageToken(found->next_before_id, query);
  return absl::OkStatus();
}

namespace {

// ladder_audit_verification_*: when the trail was last found intact, and how often it was
// not, whoever asked (a caller of VerifyAuditTrail or the server's own periodic check).
struct VerificationMetrics {
  prometheus::Gauge& last_success = prometheus::BuildGauge()
                                        .Name("ladder_audit_verification_last_success_timestamp_seconds")
                                        .Help("When the audit trail was last verified intact (Unix time).")
                                        .Register(observability::Metrics())
                                        .Add({});
  prometheus::Gauge& events = prometheus::BuildGauge()
                                  .Name("ladder_audit_verification_events_checked")
                                  .Help("Events the last successful verification checked.")
                                  .Register(observability::Metrics())
                                  .Add({});
  prometheus::Counter& broken = prometheus::BuildCounter()
                                    .Name("ladder_audit_verification_failures_total")
                                    .Help(
                                        "Verifications that found the trail broken (edited, deleted, inserted or "
                                        "reordered events).")
                                    .Register(observability::Metrics())
                                    .Add({});

  static VerificationMetrics& Get() {
    static auto* metrics = new VerificationMetrics();
    return *metrics;
  }
};

}  // namespace

absl::StatusOr<common::v1::AuditTrailVerification> VerifyAuditTrail(db::ConnectionPool& pool) {
  absl::StatusOr<db::AuditVerification> verified = db::VerifyAuditChain(pool);
  if (!verified.ok()) return verified.status();
  VerificationMetrics& metrics = VerificationMetrics::Get();
  if (verified->intact) {
    metrics.last_success.SetToCurrentTime();
    metrics.events.Set(static_cast<double>(verified->events_checked));
  } else {
    metrics.broken.Increment();
  }
  common::v1::AuditTrailVerification result;
  result.set_events_checked(verified->events_checked);
  result.set_intact(verified->intact);
  if (verified->last_id > 0) result.set_last_event(absl::StrCat("auditEvents/", verified->last_id));
  result.set_last_hash(verified->last_hash);
  if (!verified->intact) {
    result.set_first_broken_event(absl::StrCat("auditEvents/", verified->first_broken_id));
    result.set_problem(verified->problem);
  }
  return result;
}

}  // namespace ladder::server
