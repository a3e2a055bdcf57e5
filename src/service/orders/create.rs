//! Creating a draft purchase order from a form or an imported CSV: every field checked, every
//! problem reported beside its field (or row and column), nothing stored unless all is valid.

use rust_decimal::Decimal;
use serde_json::json;

use super::{due_date, total_minor};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db::order_lines::Line;
use crate::db::orders::NewOrder;
use crate::db::{self, Conn};
use crate::domain::ids::{LineId, OrderId, OrgId, TenantId};
use crate::domain::money::{Currency, Money};
use crate::domain::order::fields::{
    parse_date, parse_hs_code, parse_po_number, parse_quantity, parse_sku, parse_text, parse_unit,
};
use crate::domain::order::line::LineState;
use crate::domain::org::{OrgKind, Permission};
use crate::domain::partnership::PartnershipStatus;
use crate::service::{
    AuditEvent, FieldErrors, ServiceError, ServiceResult, actions, audit, tenant_of,
};

/// Incoterms 2020.
pub const INCOTERMS: &[&str] = &[
    "EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF",
];

/// A draft as typed: every field still text.
#[derive(Clone, Debug, Default)]
pub struct DraftInput {
    pub po_number: String,
    pub partner: String,
    pub ship_to: String,
    pub currency: String,
    pub incoterms: String,
    pub payment_terms: String,
    pub requested_delivery: String,
    pub lines: Vec<LineInput>,
    /// One-time token of the rendered form: a resubmitted form returns the draft it made.
    pub submission: String,
}

#[derive(Clone, Debug, Default)]
pub struct LineInput {
    pub sku: String,
    pub description: String,
    pub hs_code: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: String,
    pub delivery_date: String,
}

impl LineInput {
    pub fn is_blank(&self) -> bool {
        [
            &self.sku,
            &self.description,
            &self.hs_code,
            &self.quantity,
            &self.unit_price,
            &self.delivery_date,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// A draft that passed every check.
pub struct ValidDraft {
    pub po_number: String,
    pub partner: OrgId,
    pub ship_to: Option<OrgId>,
    pub currency: Currency,
    pub incoterms: String,
    pub payment_terms: String,
    pub requested_delivery: String,
    pub lines: Vec<Line>,
}

/// Checks a draft against the brand's partners. Field names of line errors are
/// `lines.{index}.{field}` with the index of the line as given.
pub async fn validate(
    conn: &mut Conn,
    tenant: TenantId,
    input: &DraftInput,
) -> ServiceResult<ValidDraft> {
    let mut errors = FieldErrors::default();
    let po_number = errors.check("po_number", parse_po_number(&input.po_number));
    let partner = match input.partner.trim().parse::<OrgId>() {
        Ok(id) => match db::partnerships::get(conn, tenant, id).await? {
            Some(p)
                if p.status == PartnershipStatus::Active
                    && matches!(p.kind, OrgKind::Supplier | OrgKind::Factory) =>
            {
                Some(id)
            }
            _ => {
                errors.add("partner", "validation.partner");
                None
            }
        },
        Err(_) => {
            errors.add(
                "partner",
                if input.partner.trim().is_empty() {
                    "validation.required"
                } else {
                    "validation.partner"
                },
            );
            None
        }
    };
    let ship_to = if input.ship_to.trim().is_empty() {
        None
    } else {
        match input.ship_to.trim().parse::<OrgId>() {
            Ok(id) => match db::partnerships::get(conn, tenant, id).await? {
                Some(p)
                    if p.status == PartnershipStatus::Active && p.kind == OrgKind::Warehouse =>
                {
                    Some(id)
                }
                _ => {
                    errors.add("ship_to", "validation.ship_to");
                    None
                }
            },
            Err(_) => {
                errors.add("ship_to", "validation.ship_to");
                None
            }
        }
    };
    let currency = errors.check(
        "currency",
        Currency::parse(&input.currency).ok_or("validation.currency"),
    );
    let incoterms = errors.check(
        "incoterms",
        INCOTERMS
            .iter()
            .find(|i| i.eq_ignore_ascii_case(input.incoterms.trim()))
            .map(|i| (*i).to_owned())
            .ok_or("validation.incoterms"),
    );
    let payment_terms = errors.check("payment_terms", parse_text(&input.payment_terms, 100, true));
    let requested = errors.check("requested_delivery", parse_date(&input.requested_delivery));

    let mut lines = Vec::new();
    for (index, line) in input
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.is_blank())
    {
        let field = |name: &str| format!("lines.{index}.{name}");
        let sku = errors.check(field("sku"), parse_sku(&line.sku));
        let description = errors.check(
            field("description"),
            parse_text(&line.description, 200, true),
        );
        let hs_code = errors.check(field("hs_code"), parse_hs_code(&line.hs_code));
        let quantity = errors.check(field("quantity"), parse_quantity(&line.quantity));
        let unit = errors.check(field("unit"), parse_unit(&line.unit));
        let price = match currency {
            Some(c) => errors.check(field("unit_price"), Money::parse_price(&line.unit_price, c)),
            None => None,
        };
        let date = if line.delivery_date.trim().is_empty() {
            requested.clone()
        } else {
            errors.check(field("delivery_date"), parse_date(&line.delivery_date))
        };
        if let (
            Some(sku),
            Some(description),
            Some(hs_code),
            Some(quantity),
            Some(unit),
            Some(price),
            Some(date),
        ) = (sku, description, hs_code, quantity, unit, price, date)
        {
            lines.push(new_line(
                lines.len() as i64 + 1,
                sku,
                description,
                hs_code,
                quantity,
                unit,
                price.minor,
                date,
            ));
        }
    }
    if input.lines.iter().all(LineInput::is_blank) {
        errors.add("lines", "validation.no_lines");
    }
    if lines.len() > 500 {
        errors.add("lines", "validation.too_many_lines");
    }
    errors.into_result()?;
    match (
        po_number,
        partner,
        currency,
        incoterms,
        payment_terms,
        requested,
    ) {
        (
            Some(po_number),
            Some(partner),
            Some(currency),
            Some(incoterms),
            Some(payment_terms),
            Some(requested_delivery),
        ) => Ok(ValidDraft {
            po_number,
            partner,
            ship_to,
            currency,
            incoterms,
            payment_terms,
            requested_delivery,
            lines,
        }),
        _ => Err(ServiceError::Internal(anyhow::anyhow!(
            "validated fields missing"
        ))),
    }
}

#[allow(clippy::too_many_arguments)]
fn new_line(
    line_no: i64,
    sku: String,
    description: String,
    hs_code: String,
    quantity: Decimal,
    unit: &str,
    unit_price_minor: i64,
    delivery_date: String,
) -> Line {
    Line {
        line_no,
        id: LineId::new(),
        sku,
        description,
        hs_code,
        quantity: quantity.to_string(),
        unit: unit.to_owned(),
        unit_price_minor,
        delivery_date,
        state: LineState::Open,
        note: None,
        proposed_quantity: None,
        proposed_date: None,
        proposed_price_minor: None,
    }
}

/// Stores a valid draft in the caller's transaction. A PO number already used in this brand is
/// refused beside the field.
pub(crate) async fn insert_draft(
    conn: &mut Conn,
    actor: &Actor,
    tenant: TenantId,
    draft: &ValidDraft,
    now: i64,
) -> ServiceResult<OrderId> {
    let id = OrderId::new();
    let inserted = db::orders::insert(
        conn,
        &NewOrder {
            tenant,
            id,
            po_number: &draft.po_number,
            partner: draft.partner,
            ship_to: draft.ship_to,
            currency: draft.currency.code(),
            incoterms: &draft.incoterms,
            payment_terms: &draft.payment_terms,
            requested_delivery: &draft.requested_delivery,
            due_date: &due_date(&draft.lines, &draft.requested_delivery),
            total_minor: total_minor(&draft.lines),
            line_count: draft.lines.len() as i64,
            created_by: actor.user_id,
            now,
        },
    )
    .await?;
    if !inserted {
        let mut errors = FieldErrors::default();
        errors.add("po_number", "validation.po_number_taken");
        return Err(ServiceError::Invalid(errors));
    }
    for line in &draft.lines {
        db::order_lines::insert(conn, tenant, id, line).await?;
    }
    db::order_history::append_event(
        conn,
        tenant,
        id,
        &db::order_history::NewEvent {
            kind: "created",
            line_no: None,
            actor_user_id: Some(actor.user_id),
            actor_org_id: Some(actor.org_id),
            at: now,
            detail: json!({ "lines": draft.lines.len() }),
        },
    )
    .await?;
    audit(
        conn,
        actor,
        Some(tenant),
        AuditEvent::new(actions::ORDER_CREATED, "order", id)
            .detail(json!({ "po_number": draft.po_number, "lines": draft.lines.len() })),
    )
    .await?;
    Ok(id)
}

/// Creates a draft from the form.
pub async fn create_draft(
    state: &AppState,
    actor: &Actor,
    input: &DraftInput,
) -> ServiceResult<OrderId> {
    if !actor.can(Permission::ManageOrders) {
        return Err(ServiceError::Forbidden);
    }
    let tenant = tenant_of(actor)?.tenant_id;
    let mut tx = state.db.begin().await?;
    let token = input.submission.trim();
    if (16..=64).contains(&token.len())
        && !db::order_history::claim_submission(
            &mut tx,
            tenant,
            token,
            actor.user_id,
            state.now().0,
        )
        .await?
    {
        // The same form was submitted before: answer with the draft it created.
        if let Some(id) =
            db::orders::id_by_po_number(&mut tx, tenant, input.po_number.trim()).await?
        {
            return Ok(id);
        }
    }
    let draft = validate(&mut tx, tenant, input).await?;
    let id = insert_draft(&mut tx, actor, tenant, &draft, state.now().0).await?;
    tx.commit().await?;
    Ok(id)
}
