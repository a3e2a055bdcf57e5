//! The tables the organisations of a generated data set are written to.

use crate::db::bulk::Table;

/// Everything needed to write the world's rows.
pub struct WorldRows {
    pub orgs: Table,
    pub keys: Table,
    pub users: Table,
    pub partnerships: Table,
    pub programs: Table,
    pub program_suppliers: Table,
}

pub fn tables() -> WorldRows {
    WorldRows {
        orgs: Table::new("orgs", &["id", "kind", "name", "created_at"]),
        keys: Table::new(
            "org_keys",
            &["kid", "org_id", "public_x", "sealed_private", "valid_from"],
        ),
        users: Table::new(
            "users",
            &[
                "id",
                "org_id",
                "email",
                "display_name",
                "role",
                "password_hash",
                "status",
                "created_at",
                "credentials_changed_at",
                "email_delivery",
            ],
        ),
        partnerships: Table::new(
            "partnerships",
            &[
                "tenant_id",
                "partner_org_id",
                "status",
                "created_at",
                "updated_at",
                "partner_kind",
            ],
        ),
        programs: Table::new(
            "finance_programs",
            &[
                "tenant_id",
                "id",
                "name",
                "financier_org_id",
                "currency",
                "advance_bps",
                "pricing",
                "rate_bps",
                "day_count",
                "max_tenor_days",
                "supplier_limit_minor",
                "total_limit_minor",
                "evidence",
                "invoice_confirmed",
                "status",
                "created_at",
                "updated_at",
            ],
        ),
        program_suppliers: Table::new(
            "program_suppliers",
            &[
                "tenant_id",
                "program_id",
                "supplier_org_id",
                "eligible_since",
                "opted_in_at",
                "auto_finance",
                "opted_in_by",
            ],
        ),
    }
}
