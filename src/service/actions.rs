//! Every audit action Portico records, in one place so auditors can read the vocabulary.

pub const SIGN_IN: &str = "auth.sign_in";
pub const SIGN_IN_FAILED: &str = "auth.sign_in_failed";
pub const PASSWORD_RESET_REQUESTED: &str = "auth.password_reset_requested";
pub const PASSWORD_RESET: &str = "auth.password_reset";
pub const PASSWORD_CHANGED: &str = "auth.password_changed";
pub const LANGUAGE_SET: &str = "account.language_set";
pub const INVITATION_CREATED: &str = "invitation.created";
pub const INVITATION_REVOKED: &str = "invitation.revoked";
pub const INVITATION_ACCEPTED: &str = "invitation.accepted";
pub const PARTNER_CONTACTS_VIEWED: &str = "partner.contacts_viewed";
pub const PARTNER_SUSPENDED: &str = "partner.suspended";
pub const PARTNER_REACTIVATED: &str = "partner.reactivated";
pub const USER_ROLE_CHANGED: &str = "user.role_changed";
pub const USER_ENABLED: &str = "user.enabled";
pub const USER_DISABLED: &str = "user.disabled";
pub const USER_CREATED_BY_CLI: &str = "user.created_by_cli";
pub const BRAND_CREATED: &str = "brand.created";
pub const DEMO_SEEDED: &str = "demo.seeded";
pub const ORDER_CREATED: &str = "order.created";
pub const ORDER_IMPORTED: &str = "order.imported";
pub const ORDER_ISSUED: &str = "order.issued";
pub const ORDER_CANCELLED: &str = "order.cancelled";
pub const ORDER_LINES_DECIDED: &str = "order.lines_decided";
pub const ORDER_VIEWED: &str = "order.viewed";
pub const ORDER_EVIDENCE_EXPORTED: &str = "order.evidence_exported";
pub const AUDIT_EXPORTED: &str = "audit.exported";
pub const NOTIFICATIONS_SET: &str = "account.notifications_set";
pub const ORDER_PROGRESS_POSTED: &str = "order.progress_posted";
pub const ORDER_FILE_DOWNLOADED: &str = "order.file_downloaded";
pub const SAMPLE_SUBMITTED: &str = "sample.submitted";
pub const SAMPLE_DECIDED: &str = "sample.decided";
pub const BRAND_SETTINGS_CHANGED: &str = "brand.settings_changed";
pub const ASN_CREATED: &str = "asn.created";
pub const RECEIPT_POSTED: &str = "asn.received";
pub const ASN_ARRIVED: &str = "asn.arrived";
pub const INVOICE_SUBMITTED: &str = "invoice.submitted";
pub const INVOICE_DUPLICATE_REFUSED: &str = "invoice.duplicate_refused";
pub const INVOICE_ACCEPTED: &str = "invoice.accepted";
pub const INVOICE_DISPUTED: &str = "invoice.disputed";
pub const INVOICE_CANCELLED: &str = "invoice.cancelled";
pub const INVOICE_VIEWED: &str = "invoice.viewed";
pub const FINANCING_REQUESTED: &str = "financing.requested";
pub const FINANCING_DOUBLE_REFUSED: &str = "financing.double_refused";
pub const FINANCING_REAUTH_FAILED: &str = "financing.reauth_failed";
pub const FINANCING_OFFERED: &str = "financing.offered";
pub const FINANCING_DECLINED: &str = "financing.declined";
pub const FINANCING_WITHDRAWN: &str = "financing.withdrawn";
pub const FINANCING_OFFER_ACCEPTED: &str = "financing.offer_accepted";
pub const FINANCING_APPROVED: &str = "financing.disbursement_approved";
pub const FINANCING_DISBURSED: &str = "financing.disbursed";
pub const FINANCING_REPAID: &str = "financing.repaid";
pub const FINANCING_VIEWED: &str = "financing.viewed";
pub const FINANCING_EVIDENCE_EXPORTED: &str = "financing.evidence_exported";
pub const TRACE_LOT_RECORDED: &str = "trace.lot_recorded";
pub const TRACE_BATCH_RECORDED: &str = "trace.batch_recorded";
pub const TRACE_IMPORTED: &str = "trace.imported";
pub const TRACE_EXPORTED: &str = "trace.exported";
pub const COMPLAINT_OPENED: &str = "complaint.opened";
pub const COMPLAINT_ROOT_SET: &str = "complaint.root_set";
pub const COMPLAINT_HOLD_PLACED: &str = "complaint.hold_placed";
pub const COMPLAINT_CLOSED: &str = "complaint.closed";
pub const PROGRAM_SAVED: &str = "finance_program.saved";
pub const PROGRAM_SUPPLIERS_SET: &str = "finance_program.suppliers_set";
pub const PROGRAM_OPT_IN: &str = "finance_program.opt_in";
pub const INBOUND_EXPORTED: &str = "asn.inbound_exported";
pub const QC_RECORDED: &str = "qc.recorded";
pub const QC_WAIVED: &str = "qc.waived";
pub const MILESTONES_CHANGED: &str = "brand.milestones_changed";
pub const BOM_CHANGED: &str = "order.bom_changed";
pub const MATERIALS_RECORDED: &str = "order.materials_recorded";
pub const PRODUCTION_PLANNED: &str = "order.production_planned";
pub const SLA_ALERT_ACKNOWLEDGED: &str = "sla.alert_acknowledged";
pub const SLA_ALERT_ASSIGNED: &str = "sla.alert_assigned";
pub const SLA_ALERT_COMMENTED: &str = "sla.alert_commented";
pub const SLA_ALERT_SNOOZED: &str = "sla.alert_snoozed";
pub const SLA_CALENDAR_CHANGED: &str = "sla.calendar_changed";
pub const SLA_POLICY_CHANGED: &str = "sla.policy_changed";
pub const SLA_SCORECARD_EXPORTED: &str = "sla.scorecard_exported";
pub const API_CLIENT_CREATED: &str = "api_client.created";
pub const API_CLIENT_REVOKED: &str = "api_client.revoked";
pub const WEBHOOK_CREATED: &str = "webhook.created";
pub const WEBHOOK_SECRET_ROTATED: &str = "webhook.secret_rotated";
pub const WEBHOOK_ENABLED: &str = "webhook.enabled";
pub const WEBHOOK_DISABLED: &str = "webhook.disabled";
pub const WEBHOOK_DELETED: &str = "webhook.deleted";
pub const WEBHOOK_REDELIVERED: &str = "webhook.redelivered";

/// Every action, for the audit page's filter.
pub const SSO_CONFIG_SAVED: &str = "sso.config_saved";
pub const SSO_SIGN_IN: &str = "auth.sso_sign_in";
pub const SSO_SIGN_IN_FAILED: &str = "auth.sso_sign_in_failed";
pub const SSO_USER_JOINED: &str = "user.joined_by_sso";
pub const SIGN_IN_SSO_REQUIRED: &str = "auth.password_refused_sso_required";

pub const ALL: &[&str] = &[
    SIGN_IN,
    SIGN_IN_FAILED,
    PASSWORD_RESET_REQUESTED,
    PASSWORD_RESET,
    PASSWORD_CHANGED,
    LANGUAGE_SET,
    INVITATION_CREATED,
    INVITATION_REVOKED,
    INVITATION_ACCEPTED,
    PARTNER_CONTACTS_VIEWED,
    PARTNER_SUSPENDED,
    PARTNER_REACTIVATED,
    USER_ROLE_CHANGED,
    USER_ENABLED,
    USER_DISABLED,
    USER_CREATED_BY_CLI,
    BRAND_CREATED,
    DEMO_SEEDED,
    ORDER_CREATED,
    ORDER_IMPORTED,
    ORDER_ISSUED,
    ORDER_CANCELLED,
    ORDER_LINES_DECIDED,
    ORDER_VIEWED,
    ORDER_EVIDENCE_EXPORTED,
    AUDIT_EXPORTED,
    NOTIFICATIONS_SET,
    ORDER_PROGRESS_POSTED,
    ORDER_FILE_DOWNLOADED,
    SAMPLE_SUBMITTED,
    SAMPLE_DECIDED,
    BRAND_SETTINGS_CHANGED,
    ASN_CREATED,
    RECEIPT_POSTED,
    ASN_ARRIVED,
    INVOICE_SUBMITTED,
    INVOICE_DUPLICATE_REFUSED,
    INVOICE_ACCEPTED,
    INVOICE_DISPUTED,
    INVOICE_CANCELLED,
    INVOICE_VIEWED,
    FINANCING_REQUESTED,
    FINANCING_DOUBLE_REFUSED,
    FINANCING_REAUTH_FAILED,
    FINANCING_OFFERED,
    FINANCING_DECLINED,
    FINANCING_WITHDRAWN,
    FINANCING_OFFER_ACCEPTED,
    FINANCING_APPROVED,
    FINANCING_DISBURSED,
    FINANCING_REPAID,
    FINANCING_VIEWED,
    FINANCING_EVIDENCE_EXPORTED,
    TRACE_LOT_RECORDED,
    TRACE_BATCH_RECORDED,
    TRACE_IMPORTED,
    TRACE_EXPORTED,
    COMPLAINT_OPENED,
    COMPLAINT_ROOT_SET,
    COMPLAINT_HOLD_PLACED,
    COMPLAINT_CLOSED,
    PROGRAM_SAVED,
    PROGRAM_SUPPLIERS_SET,
    PROGRAM_OPT_IN,
    INBOUND_EXPORTED,
    QC_RECORDED,
    QC_WAIVED,
    MILESTONES_CHANGED,
    BOM_CHANGED,
    MATERIALS_RECORDED,
    PRODUCTION_PLANNED,
    SLA_ALERT_ACKNOWLEDGED,
    SLA_ALERT_ASSIGNED,
    SLA_ALERT_COMMENTED,
    SLA_ALERT_SNOOZED,
    SLA_CALENDAR_CHANGED,
    SLA_POLICY_CHANGED,
    SLA_SCORECARD_EXPORTED,
    API_CLIENT_CREATED,
    API_CLIENT_REVOKED,
    WEBHOOK_CREATED,
    WEBHOOK_SECRET_ROTATED,
    WEBHOOK_ENABLED,
    WEBHOOK_DISABLED,
    WEBHOOK_DELETED,
    WEBHOOK_REDELIVERED,
    SSO_CONFIG_SAVED,
    SSO_SIGN_IN,
    SSO_SIGN_IN_FAILED,
    SSO_USER_JOINED,
    SIGN_IN_SSO_REQUIRED,
];
