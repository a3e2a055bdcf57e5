-- The ops dashboard lists a brand's clocks past their warning and not stopped, soonest deadline
-- first. Without this the query walks every clock the brand ever had (all stopped ones too) and
-- sorts them; with it, it reads the few open warned clocks already in order and stops at the limit.
-- The partner, kind and policy ride along so the board's filters and its partner list are
-- answered from the index alone (at a million orders, 1,300 row lookups cost 5 ms).
CREATE INDEX sla_timers_board ON sla_timers (tenant_id, deadline_at, id, partner_org_id, kind, policy_id)
    WHERE warned_at IS NOT NULL AND state <> 'stopped';
