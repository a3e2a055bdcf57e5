//! Receivable financing: Sunrise asks on an invoice Acme accepted, Jade verifies and offers,
//! Sunrise accepts, two Jade users approve the disbursement above the program's threshold, Acme
//! is told where to pay and records the repayment. Every step out of turn, by the wrong party
//! or twice, is refused; the evidence downloads and verifies without naming prices.

use portico::service::ServiceError;
use portico::service::financing::offers::{self, OfferInput};
use portico::service::financing::settle;
use portico::service::financing::{self, RequestInput};
use portico::signing::bundle::Bundle;
use portico::signing::bundle_check::verify_bundle;

use crate::support::TestApp;
use crate::support::finance::{invoice, program};
use crate::support::orders::actor;

const IBAN: &str = "DE44 5001 0517 5407 3249 31";

async fn count(app: &TestApp, sql: &str, arg: &str) -> i64 {
    let mut conn = app.fixture_state().db.reader().acquire().await.unwrap();
    sqlx::query_scalar(sql)
        .bind(arg)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn from_an_accepted_invoice_to_repayment_with_every_party_in_turn() {
    let app = TestApp::spawn().await;
    let program_id = program(&app, "Acme early pay", "1000", false).await;
    let (order, invoice_id) = invoice(&app, "FIN-1", "SR-F-001", true).await;

    // Sunrise asks from the invoice's page; it signed in just now, so no password is asked.
    let sales = app.login("sales@sunrise.test").await;
    let page = sales.get(&format!("/invoices/{invoice_id}")).await;
    assert!(
        page.has("form.request-financing-form"),
        "{}",
        page.text("main")
    );
    assert!(!page.has("#financing-password"));
    assert!(page.text(".estimate").contains("USD"));
    let asked = sales
        .submit(
            &page,
            "form.request-financing-form",
            &[("program", program_id.as_str())],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    let path = asked.location().unwrap();
    let mine = sales.follow(&asked).await;
    assert!(mine.text(".flashes").contains("Financing requested"));
    assert_eq!(mine.text("#financing-state"), "Requested");
    // A second request on the same invoice is refused: the form is gone, and a forged post too.
    let again = sales.get(&format!("/invoices/{invoice_id}")).await;
    assert!(!again.has("form.request-financing-form"));
    let forged = sales
        .post(
            &format!("/invoices/{invoice_id}/financing"),
            &[("program", program_id.as_str())],
        )
        .await;
    let shown = sales.follow(&forged).await;
    assert!(
        shown
            .text(".flash-error")
            .contains("cannot be financed twice"),
        "{}",
        shown.text("main")
    );
    let sql = "SELECT COUNT(*) FROM audit_log WHERE action = $1";
    assert_eq!(count(&app, sql, "financing.double_refused").await, 1);

    // Jade's analyst sees it in the queue and verifies it: every statement holds, the program's
    // evidence is all there, and no price is shown.
    let analyst = app.login("analyst@jade.test").await;
    let queue = analyst.get("/financings").await;
    assert!(queue.text(".financings").contains("SR-F-001"));
    let page = analyst.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.texts(".evidence-required li.ok").len(), 3);
    assert!(page.texts("table.panel tr.failed").is_empty());
    assert!(page.texts("table.panel tr.verified").len() >= 5);
    assert!(page.text("table.panel").contains("Content withheld"));
    assert!(
        !page.body.contains("2.50"),
        "no unit price for the financier"
    );
    assert!(page.has("#no-flags"));
    // The invoice and the order themselves stay closed to the financier.
    assert_eq!(
        analyst.get(&format!("/invoices/{invoice_id}")).await.status,
        404
    );
    assert_eq!(analyst.get(&format!("/orders/{order}")).await.status, 404);

    // The evidence bundle verifies offline and names no price.
    let download = analyst.get(&format!("{path}/evidence")).await;
    assert_eq!(download.status, 200);
    assert!(
        !download.body.contains("price_minor") && !download.body.contains("\"amount_minor\":250")
    );
    let bundle: Bundle = serde_json::from_str(&download.body).unwrap();
    let checks = verify_bundle(&bundle, None);
    assert!(checks.iter().all(|c| c.result.is_ok()), "{checks:?}");
    assert!(checks.iter().any(|c| c.withheld) && checks.iter().any(|c| !c.withheld));

    // A bad account is explained and what was typed is kept.
    let bad = analyst
        .submit(
            &page,
            "form.offer-form",
            &[("collection_account", "DE45 5001 0517 5407 3249 31")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text(".field-error").contains("IBAN is not valid"));
    assert_eq!(
        bad.attr("#collection-account-input", "value").as_deref(),
        Some("DE45 5001 0517 5407 3249 31")
    );
    let offered = analyst
        .submit(&bad, "form.offer-form", &[("collection_account", IBAN)])
        .await;
    assert_eq!(offered.status, 303, "{}", offered.body);
    let page = analyst.follow(&offered).await;
    assert_eq!(page.text("#financing-state"), "Offered");
    // 1,500.00 × 90 % = 1,350.00 advance.
    assert_eq!(page.text("#offer-advance"), "1350.00 USD");
    assert_eq!(page.text("#collection-account"), "DE44500105175407324931");

    // Sunrise sees the same figures (the account masked) and accepts.
    let mine = sales.get(&path).await;
    assert_eq!(mine.text("#offer-advance"), "1350.00 USD");
    assert_eq!(mine.text("#offer-net"), page.text("#offer-net"));
    assert_eq!(mine.text("#collection-account"), "•••• 4931");
    let accepted = sales.submit(&mine, "form.accept-offer-form", &[]).await;
    let mine = sales.follow(&accepted).await;
    assert_eq!(mine.text("#financing-state"), "Offer accepted");

    // Above 1,000 USD two Jade users must approve; the analyst cannot give both.
    let page = analyst.get(&path).await;
    let first = analyst.submit(&page, "form.approve-form", &[]).await;
    let page = analyst.follow(&first).await;
    assert_eq!(page.text("#financing-state"), "Awaiting second approval");
    let twice = analyst.submit(&page, "form.approve-form", &[]).await;
    let page = analyst.follow(&twice).await;
    assert!(page.text(".flash-error").contains("Another colleague"));
    let credit = app.login("credit@jade.test").await;
    let page = credit.get(&path).await;
    let second = credit.submit(&page, "form.approve-form", &[]).await;
    let page = credit.follow(&second).await;
    assert_eq!(page.text("#financing-state"), "Paid out");

    // Acme finance gets the assignment notice with the whole account; Acme ops sees it masked.
    let finance = app.login("finance@acme.test").await;
    let page = finance.get(&path).await;
    assert!(page.has("#assignment"));
    assert_eq!(page.text("#collection-account"), "DE44500105175407324931");
    let ops = app.login("ops@acme.test").await;
    assert_eq!(
        ops.get(&path).await.text("#collection-account"),
        "•••• 4931"
    );
    let invoice_page = finance.get(&format!("/invoices/{invoice_id}")).await;
    assert_eq!(invoice_page.text("#invoice-state"), "Financed");
    let repaid = finance.submit(&page, "form.repay-form", &[]).await;
    let page = finance.follow(&repaid).await;
    assert_eq!(page.text("#financing-state"), "Repaid");
    let invoice_page = finance.get(&format!("/invoices/{invoice_id}")).await;
    assert_eq!(invoice_page.text("#invoice-state"), "Paid");

    // Every step is a signed statement on the order, and the chain still verifies.
    let bundle = finance.get(&format!("/orders/{order}/evidence.json")).await;
    for kind in [
        "po.financing_requested",
        "po.financing_offered",
        "po.financing_offer_accepted",
        "po.financing_second",
        "po.financing_disbursed",
        "po.financing_repaid",
    ] {
        assert!(bundle.body.contains(kind), "{kind}");
    }
    let bundle: Bundle = serde_json::from_str(&bundle.body).unwrap();
    assert!(
        verify_bundle(&bundle, None)
            .iter()
            .all(|c| c.result.is_ok())
    );
    // The account travels in statements only as a hash and its last four characters.
    let all = serde_json::to_string(&bundle).unwrap();
    assert!(!all.contains("DE44500105175407324931"));
}

#[tokio::test]
async fn steps_out_of_turn_or_by_the_wrong_party_are_refused() {
    let app = TestApp::spawn().await;
    let program_id = program(&app, "Acme early pay", "", false).await;
    let (_, open_invoice) = invoice(&app, "FIN-2", "SR-F-002", false).await;
    let (_, invoice_id) = invoice(&app, "FIN-3", "SR-F-003", true).await;
    let state = app.fixture_state();
    let sales = actor(&app, "sales@sunrise.test", "Acme Apparel").await;
    let ask = RequestInput {
        program: program_id.clone(),
        password: String::new(),
    };
    // Not accepted yet by the buyer.
    let early = financing::request(state, &sales, &open_invoice, &ask).await;
    assert!(matches!(
        early,
        Err(ServiceError::Refused("financing.refused.not_accepted"))
    ));
    // An unknown program is a field error.
    let unknown = RequestInput {
        program: "nope".into(),
        ..ask.clone()
    };
    let wrong = financing::request(state, &sales, &invoice_id, &unknown).await;
    assert!(matches!(wrong, Err(ServiceError::Invalid(_))));
    // A sign-in older than five minutes needs the password again; a wrong one is audited.
    let mut stale = sales.clone();
    stale.authenticated_at = portico::domain::time::UtcMillis(0);
    let no_password = financing::request(state, &stale, &invoice_id, &ask).await;
    assert!(matches!(no_password, Err(ServiceError::Invalid(_))));
    let bad = RequestInput {
        password: "not-the-password".into(),
        ..ask.clone()
    };
    assert!(matches!(
        financing::request(state, &stale, &invoice_id, &bad).await,
        Err(ServiceError::Invalid(_))
    ));
    let sql = "SELECT COUNT(*) FROM audit_log WHERE action = $1";
    assert_eq!(count(&app, sql, "financing.reauth_failed").await, 1);
    let good = RequestInput {
        password: crate::support::DEMO_PASSWORD.into(),
        ..ask.clone()
    };
    let (id, reauthenticated) = financing::request(state, &stale, &invoice_id, &good)
        .await
        .expect("request with the password");
    assert!(reauthenticated);

    // The supplier cannot offer, the financier cannot accept its own offer or repay, Acme
    // cannot disburse, and nothing can be approved before an offer is accepted.
    let analyst = actor(&app, "analyst@jade.test", "Acme Apparel").await;
    let finance = actor(&app, "finance@acme.test", "Acme Apparel").await;
    let offer = OfferInput {
        value_date: portico::service::sla::scorecards::today(state).to_string(),
        collection_account: IBAN.into(),
    };
    assert!(matches!(
        offers::offer(state, &sales, &id, &offer).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        settle::approve(state, &analyst, &id).await,
        Err(ServiceError::Refused(_))
    ));
    assert!(matches!(
        settle::repay(state, &analyst, &id).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        offers::accept(state, &analyst, &id, "").await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        settle::approve(state, &finance, &id).await,
        Err(ServiceError::Forbidden)
    ));
    // A value date in the past or after the due date is explained.
    let past = OfferInput {
        value_date: "2020-01-01".into(),
        ..offer.clone()
    };
    assert!(matches!(
        offers::offer(state, &analyst, &id, &past).await,
        Err(ServiceError::Invalid(_))
    ));
    let late = OfferInput {
        value_date: "2027-06-30".into(),
        ..offer.clone()
    };
    assert!(matches!(
        offers::offer(state, &analyst, &id, &late).await,
        Err(ServiceError::Invalid(_))
    ));
    // A garbled value date or account, or a decline without a reason, is a field error and
    // changes nothing.
    let garbled = OfferInput {
        value_date: "31/12/2026".into(),
        collection_account: "12;34".into(),
    };
    match offers::offer(state, &analyst, &id, &garbled).await {
        Err(ServiceError::Invalid(errors)) => {
            assert!(errors.get("value_date").is_some());
            assert_eq!(
                errors.get("collection_account"),
                Some("financing.invalid.account")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        offers::decline(state, &analyst, &id, "   ").await,
        Err(ServiceError::Invalid(_))
    ));
    let still = financing::get(state, &analyst, &id).await.unwrap();
    assert_eq!(still.row.state, "requested");
    // A declined request frees the receivable: Sunrise may ask again.
    offers::decline(state, &analyst, &id, "Tenor too long for us")
        .await
        .unwrap();
    assert!(matches!(
        offers::decline(state, &analyst, &id, "again").await,
        Err(ServiceError::Refused(_))
    ));
    let (again, _) = financing::request(state, &sales, &invoice_id, &ask)
        .await
        .unwrap();
    // Delta, another supplier, and Blue Harbor's people never see it.
    let delta = actor(&app, "planner@delta.test", "Acme Apparel").await;
    assert!(matches!(
        financing::get(state, &delta, &again).await,
        Err(ServiceError::NotFound)
    ));
    assert!(
        financing::list(state, &delta, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    // Sunrise withdraws; withdrawn twice is refused.
    offers::withdraw(state, &sales, &again).await.unwrap();
    assert!(matches!(
        offers::withdraw(state, &sales, &again).await,
        Err(ServiceError::Refused(_))
    ));
}

#[tokio::test]
async fn auto_financing_asks_as_soon_as_the_brand_accepts() {
    let app = TestApp::spawn().await;
    program(&app, "Acme early pay", "", true).await;
    let (_, invoice_id) = invoice(&app, "FIN-AUTO", "SR-F-AUTO", true).await;
    let finance = actor(&app, "finance@acme.test", "Acme Apparel").await;
    let list = financing::list(app.fixture_state(), &finance, None, None)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].invoice_id, invoice_id);
    assert_eq!((list[0].state.as_str(), list[0].auto), ("requested", 1));
    // Made and signed in the name of the Sunrise user who gave the instruction.
    let sales = app.user_id("sales@sunrise.test").await;
    assert_eq!(list[0].requested_by, sales);
    let analyst = app.login("analyst@jade.test").await;
    let page = analyst.get(&format!("/financings/{}", list[0].id)).await;
    assert!(
        page.text("dl.facts")
            .contains("standing auto-financing instruction")
    );
    // Jade is told, and its notification leads to the financing, not the order.
    let notes = analyst.get("/notifications").await;
    assert!(notes.body.contains(&format!("/financings/{}", list[0].id)));
}

#[tokio::test]
async fn a_repayment_missing_after_the_due_date_is_alerted_once() {
    let app = TestApp::spawn().await;
    let program_id = program(&app, "Acme early pay", "", false).await;
    let (_, invoice_id) = invoice(&app, "FIN-LATE", "SR-F-LATE", true).await;
    let state = app.fixture_state();
    let sales = actor(&app, "sales@sunrise.test", "Acme Apparel").await;
    let ask = RequestInput {
        program: program_id,
        password: String::new(),
    };
    let (id, _) = financing::request(state, &sales, &invoice_id, &ask)
        .await
        .unwrap();
    let analyst = actor(&app, "analyst@jade.test", "Acme Apparel").await;
    let offer = OfferInput {
        value_date: portico::service::sla::scorecards::today(state).to_string(),
        collection_account: IBAN.into(),
    };
    offers::offer(state, &analyst, &id, &offer).await.unwrap();
    offers::accept(state, &sales, &id, "").await.unwrap();
    settle::approve(state, &analyst, &id).await.unwrap();
    assert_eq!(
        settle::alert_overdue(state).await.unwrap(),
        0,
        "not due yet"
    );

    // The invoice is due 2027-05-31: the day after, the repayment is overdue.
    let due = portico::domain::time::UtcMillis::parse_rfc3339("2027-06-01T09:00:00Z").unwrap();
    state.clock.jump_to(due);
    assert_eq!(settle::alert_overdue(state).await.unwrap(), 1);
    assert_eq!(
        settle::alert_overdue(state).await.unwrap(),
        0,
        "alerted once"
    );
    let credit = app.login("credit@jade.test").await;
    let page = credit.get(&format!("/financings/{id}")).await;
    assert!(page.has("#overdue"));
    let list = credit.get("/financings").await;
    assert!(list.text(".financings").contains("Overdue"));
    let sql = "SELECT COUNT(*) FROM notifications WHERE kind = $1";
    // Jade's two users and Acme's admin and finance users.
    assert_eq!(count(&app, sql, "financing_overdue").await, 4);
    // Acme pays late: recorded, and the statement says so.
    let finance = actor(&app, "finance@acme.test", "Acme Apparel").await;
    settle::repay(state, &finance, &id).await.unwrap();
    let sql = "SELECT COUNT(*) FROM statements WHERE kind = $1 AND payload LIKE '%\"late\":true%'";
    assert_eq!(count(&app, sql, "po.financing_repaid").await, 1);
}

#[tokio::test]
async fn a_second_financier_or_another_brands_context_cannot_finance_the_same_invoice() {
    use portico::service::finance_programs;
    let app = TestApp::spawn().await;
    let state = app.fixture_state();
    let jade = program(&app, "Acme early pay", "", false).await;
    // Onyx Capital, a second financier of Acme's, with a program Sunrise joins too.
    let onyx = crate::support::isolation::brand::other_financier(&app).await;
    let admin = actor(&app, "admin@acme.test", "Acme Apparel").await;
    let sunrise = app.org_id("Sunrise Textiles").await.to_string();
    finance_programs::set_suppliers(state, &admin, &onyx, &[sunrise])
        .await
        .unwrap();
    let sales = actor(&app, "sales@sunrise.test", "Acme Apparel").await;
    finance_programs::opt_in(state, &sales, &onyx, true, false)
        .await
        .unwrap();
    let (_, invoice_id) = invoice(&app, "FIN-2F", "SR-F-2F", true).await;
    let ask = |program: &str| RequestInput {
        program: program.into(),
        password: String::new(),
    };
    financing::request(state, &sales, &invoice_id, &ask(&jade))
        .await
        .unwrap();
    let second = financing::request(state, &sales, &invoice_id, &ask(&onyx)).await;
    assert!(
        matches!(
            second,
            Err(ServiceError::Refused("financing.refused.already"))
        ),
        "{second:?}"
    );
    // Refused, audited, and told to Jade (which holds it) and Acme's finance people; Onyx hears
    // nothing of Jade's financing.
    let sql = "SELECT COUNT(*) FROM audit_log WHERE action = $1";
    assert_eq!(count(&app, sql, "financing.double_refused").await, 1);
    let sql = "SELECT COUNT(*) FROM notifications WHERE kind = $1";
    assert_eq!(count(&app, sql, "financing_double").await, 4);
    let onyx_desk = app
        .login(crate::support::isolation::brand::OTHER_FINANCIER)
        .await;
    assert!(!onyx_desk.get("/financings").await.body.contains("SR-F-2F"));
    // In Blue Harbor's context (Sunrise serves it too), Acme's invoice does not exist.
    let in_blue = actor(&app, "sales@sunrise.test", "Blue Harbor Home").await;
    let foreign = financing::request(state, &in_blue, &invoice_id, &ask(&jade)).await;
    assert!(
        matches!(foreign, Err(ServiceError::NotFound)),
        "{foreign:?}"
    );
}
