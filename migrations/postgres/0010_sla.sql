-- Same meaning as the sqlite twin.
-- SLA clocks: the brand's working calendars, its versioned policies, the running clocks with
-- their next instant precomputed (the scheduler reads only what is due), and the alerts raised.

CREATE TABLE calendars (
    tenant_id   TEXT NOT NULL REFERENCES orgs (id),
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    -- Seven weekday texts, Monday first, joined by '|' ("09:00-12:00, 13:00-18:00|…").
    hours       TEXT NOT NULL,
    updated_by  TEXT REFERENCES users (id),
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE calendar_holidays (
    tenant_id    TEXT NOT NULL,
    calendar_id  TEXT NOT NULL,
    day          TEXT NOT NULL,
    name         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, calendar_id, day),
    FOREIGN KEY (tenant_id, calendar_id) REFERENCES calendars (tenant_id, id)
);

-- One row per policy with its current version; every version is kept in sla_policy_versions.
CREATE TABLE sla_policies (
    tenant_id        TEXT NOT NULL REFERENCES orgs (id),
    id               TEXT NOT NULL,
    kind             TEXT NOT NULL,
    -- Scope: a partner kind, a single partner, or neither (the brand's default).
    partner_kind     TEXT,
    partner_org_id   TEXT REFERENCES orgs (id),
    version          BIGINT NOT NULL,
    active           BIGINT NOT NULL,
    target_unit      TEXT NOT NULL,
    target_amount    BIGINT NOT NULL,
    calendar_id      TEXT,
    warn_percent     BIGINT NOT NULL,
    pause_on_brand   BIGINT NOT NULL,
    -- Who is told: JSON {"warning": [roles], "breach": [roles], "again_after_hours": n, "again": [roles]}.
    escalation       TEXT NOT NULL,
    updated_by       TEXT REFERENCES users (id),
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX sla_policies_scope ON sla_policies
    (tenant_id, kind, COALESCE(partner_kind, ''), COALESCE(partner_org_id, ''));

CREATE TABLE sla_policy_versions (
    tenant_id   TEXT NOT NULL,
    policy_id   TEXT NOT NULL,
    version     BIGINT NOT NULL,
    -- The policy as it was (JSON), so a running clock's rules and the history can be shown.
    snapshot    TEXT NOT NULL,
    changed_by  TEXT REFERENCES users (id),
    changed_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, policy_id, version)
);

CREATE TABLE sla_timers (
    tenant_id             TEXT NOT NULL,
    id                    TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    policy_id             TEXT NOT NULL,
    policy_version        BIGINT NOT NULL,
    order_id              TEXT NOT NULL,
    -- 0 for clocks of the whole order.
    line_no               BIGINT NOT NULL,
    partner_org_id        TEXT NOT NULL,
    calendar_id           TEXT,
    business              BIGINT NOT NULL,
    -- The policy's pause rule at start (a running clock keeps its version's rules).
    pause_on_brand        BIGINT NOT NULL,
    state                 TEXT NOT NULL CHECK (state IN ('running','paused','stopped')),
    started_at            BIGINT NOT NULL,
    warn_at               BIGINT NOT NULL,
    deadline_at           BIGINT NOT NULL,
    warned_at             BIGINT,
    breached_at           BIGINT,
    paused_since          BIGINT,
    left_to_warning_ms    BIGINT,
    left_to_deadline_ms   BIGINT,
    stopped_at            BIGINT,
    -- met, late or void (the order went away).
    outcome               TEXT,
    late_ms               BIGINT,
    -- The next instant the scheduler must act on (NULL when paused, stopped or breached and
    -- escalated); the scheduler reads this index only.
    next_due_at           BIGINT,
    escalate_at           BIGINT,
    lease_until           BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id)
);
CREATE INDEX sla_timers_due ON sla_timers (next_due_at) WHERE next_due_at IS NOT NULL;
CREATE UNIQUE INDEX sla_timers_one_open ON sla_timers (tenant_id, kind, order_id, line_no)
    WHERE state <> 'stopped';
CREATE INDEX sla_timers_by_order ON sla_timers (tenant_id, order_id);
CREATE INDEX sla_timers_open ON sla_timers (tenant_id, state, deadline_at);
-- Scorecards read the clocks that finished in a date range.
CREATE INDEX sla_timers_finished ON sla_timers (tenant_id, stopped_at) WHERE state = 'stopped';

CREATE TABLE sla_alerts (
    tenant_id        TEXT NOT NULL,
    id               TEXT NOT NULL,
    timer_id         TEXT NOT NULL,
    -- warning, breach or escalation.
    level            TEXT NOT NULL,
    -- When it really happened (the warning time or deadline), and when it was raised.
    happened_at      BIGINT NOT NULL,
    raised_at        BIGINT NOT NULL,
    acknowledged_by  TEXT REFERENCES users (id),
    acknowledged_at  BIGINT,
    assigned_to      TEXT REFERENCES users (id),
    snoozed_until    BIGINT,
    snooze_reason    TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, timer_id) REFERENCES sla_timers (tenant_id, id)
);
-- Two schedulers can never raise the same alert twice.
CREATE UNIQUE INDEX sla_alerts_once ON sla_alerts (tenant_id, timer_id, level);
CREATE INDEX sla_alerts_recent ON sla_alerts (tenant_id, raised_at);

CREATE TABLE sla_alert_comments (
    tenant_id   TEXT NOT NULL,
    alert_id    TEXT NOT NULL,
    at          BIGINT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    FOREIGN KEY (tenant_id, alert_id) REFERENCES sla_alerts (tenant_id, id)
);
CREATE INDEX sla_alert_comments_by_alert ON sla_alert_comments (tenant_id, alert_id, at);

-- Bumped by every change the ops dashboard shows (alerts raised or handled, clocks stopped or
-- paused), so open dashboards on any replica notice it with one primary-key read.
CREATE TABLE sla_revisions (
    tenant_id  TEXT PRIMARY KEY,
    rev        BIGINT NOT NULL
);
