//! Files the trace import cannot read, uploaded as a factory would: each answers with the
//! recording page naming the problem and the file, and records nothing.

use crate::support::TestApp;

async fn lots_recorded(app: &TestApp) -> i64 {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM material_lots")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn unreadable_epcis_and_csv_files_are_refused_with_the_reason_and_record_nothing() {
    let app = TestApp::spawn().await;
    let sunrise = app.login("sales@sunrise.test").await;
    let before = lots_recorded(&app).await;
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "cut-off.json",
            b"{ \"type\": \"EPCISDocument\", \"epcisBody\": ",
            "This is not an EPCIS 2.0 JSON document.",
        ),
        (
            "other.json",
            b"{ \"type\": \"Invoice\", \"total\": 12 }",
            "This is not an EPCIS 2.0 JSON document.",
        ),
        (
            "empty-events.json",
            br#"{ "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
                  "type": "EPCISDocument", "schemaVersion": "2.0",
                  "creationDate": "2026-11-01T00:00:00Z", "epcisBody": { "eventList": [] } }"#,
            "The document has no events.",
        ),
        (
            "lots.csv",
            b"material,supplier_name,received_qty,unit\nJersey,Mill,10,m\n",
            "This column is missing from the header row.",
        ),
        ("nothing.csv", b"", "Choose a file to import."),
    ];
    for (name, bytes, problem) in cases {
        let page = sunrise
            .upload("/trace/import", "file", name, bytes.to_vec())
            .await;
        assert_eq!(page.status, 422, "{name}: {}", page.text("main"));
        assert!(
            page.text("table.problems").contains(problem),
            "{name}: {}",
            page.text("table.problems")
        );
        if !bytes.is_empty() {
            assert!(page.text(".flash-error").contains(name), "{name}");
        }
    }
    assert_eq!(lots_recorded(&app).await, before, "nothing recorded");
}
