-- A partnership carries its partner's kind (an organisation's kind never changes), so "the
-- brand's active warehouses" is a range of the brand's partnerships of that kind. Before, it
-- walked every partnership of the brand and looked up each partner's kind: at a million orders
-- the largest brand has 2,341 partners and 20 warehouses in all exist, and every order page
-- (which offers the warehouses an ASN can go to) read 1,900 pages for it.
ALTER TABLE partnerships ADD COLUMN partner_kind TEXT NOT NULL DEFAULT '';
UPDATE partnerships SET partner_kind = (SELECT o.kind FROM orgs o WHERE o.id = partnerships.partner_org_id);
CREATE INDEX partnerships_by_kind ON partnerships (tenant_id, partner_kind, status);
