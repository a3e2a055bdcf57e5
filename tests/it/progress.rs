//! Production progress with photos: the factory's post, the files' safe handling, and every
//! kind of bad upload refused with nothing half-stored.

use crate::support::orders::{decide, order, png};
use crate::support::{Page, TestApp, TestClient};

/// An Acme order with Delta that Delta has confirmed; returns its id.
async fn confirmed_order(app: &TestApp, po: &str) -> String {
    let id = order(
        app,
        "ops@acme.test",
        "Acme Apparel",
        po,
        "Delta Garment Works",
        Some("Harbor Logistics"),
        true,
    )
    .await
    .to_string();
    let planner = app.login("planner@delta.test").await;
    let page = planner.get(&format!("/orders/{id}")).await;
    decide(&planner, &page, "form.accept-all", &[]).await;
    id
}

/// Named files of one post.
type Files<'a> = Vec<(&'a str, Vec<u8>)>;

fn stored_files(app: &TestApp) -> usize {
    let root = app.data_dir.path().join("files");
    let Ok(dirs) = std::fs::read_dir(root) else {
        return 0;
    };
    dirs.filter_map(|d| d.ok())
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten())
        .count()
}

async fn progress_rows(app: &TestApp) -> i64 {
    let mut conn = app.db.reader().acquire().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM progress_posts")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

async fn post(client: &TestClient, id: &str, files: Vec<(&str, Vec<u8>)>, token: &str) -> Page {
    let csrf = client.csrf().await;
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("milestone", "materials_kitted")
        .text("quantity_produced", "500")
        .text("expected_completion", "2027-06-20")
        .text("note", "Cutting done, sewing line 3")
        .text("submission", token.to_owned());
    for (name, bytes) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    client
        .send_multipart(&format!("/orders/{id}/progress"), form)
        .await
}

#[tokio::test]
async fn the_factory_posts_progress_with_photos_that_only_parties_see() {
    let app = TestApp::spawn().await;
    let id = confirmed_order(&app, "4506001").await;
    let planner = app.login("planner@delta.test").await;
    let response = post(
        &planner,
        &id,
        vec![("line.png", png(1)), ("IMG_0002.PNG", png(2))],
        "progress-token-000000000001",
    )
    .await;
    assert_eq!(response.status, 303, "{}", response.body);
    let page = planner.follow(&response).await;
    assert!(page.text(".flash-success").contains("Progress posted"));
    let shown = page.text("#progress .post");
    assert!(
        shown.contains("Materials kitted") && shown.contains("500") && shown.contains("2027-06-20"),
        "{shown}"
    );
    let thumbs: Vec<String> = page
        .html()
        .select(&scraper::Selector::parse("#progress img").unwrap())
        .filter_map(|i| i.value().attr("src").map(str::to_owned))
        .collect();
    assert_eq!(thumbs.len(), 2);
    assert!(
        page.text(".verify-panel")
            .contains("Every statement verifies")
    );
    assert!(page.text(".timeline").contains("Progress reported"));

    // The thumbnail and the file are served to parties with safe headers.
    let thumb = planner.get(&thumbs[0]).await;
    assert_eq!(thumb.status, 200);
    assert_eq!(thumb.header("content-type").as_deref(), Some("image/jpeg"));
    let original_href = thumbs[0].trim_end_matches("/thumb").to_owned();
    let original = planner.get(&original_href).await;
    assert_eq!(
        original.header("content-type").as_deref(),
        Some("image/png")
    );
    assert_eq!(
        original.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert!(
        original
            .header("content-disposition")
            .unwrap()
            .contains("filename=\"line.png\"")
    );

    // The brand and the warehouse the goods go to see them; the brand was told.
    let ops = app.login("ops@acme.test").await;
    assert_eq!(ops.get(&original_href).await.status, 200);
    assert!(
        ops.get("/notifications")
            .await
            .text(".notification-list")
            .contains("Delta Garment Works reported progress on PO 4506001")
    );
    let dock = app.login("dock@harborlog.test").await;
    assert_eq!(dock.get(&original_href).await.status, 200);
    // Another supplier of Acme does not.
    assert_eq!(
        app.login("sales@sunrise.test")
            .await
            .get(&original_href)
            .await
            .status,
        404
    );

    // The same photo uploaded again is stored once (content-addressed).
    let before = stored_files(&app);
    let again = post(
        &planner,
        &id,
        vec![("again.png", png(1))],
        "progress-token-000000000002",
    )
    .await;
    assert_eq!(again.status, 303);
    assert_eq!(stored_files(&app), before);
}

#[tokio::test]
async fn a_retried_upload_posts_once() {
    let app = TestApp::spawn().await;
    let id = confirmed_order(&app, "4506002").await;
    let planner = app.login("planner@delta.test").await;
    for _ in 0..3 {
        let response = post(
            &planner,
            &id,
            vec![("a.png", png(3))],
            "progress-token-000000000003",
        )
        .await;
        assert_eq!(response.status, 303);
    }
    assert_eq!(progress_rows(&app).await, 1);
    let page = planner.get(&format!("/orders/{id}")).await;
    assert_eq!(page.texts("#progress .post").len(), 1);
}

#[tokio::test]
async fn progress_before_confirmation_is_refused() {
    let app = TestApp::spawn().await;
    let id = order(
        &app,
        "ops@acme.test",
        "Acme Apparel",
        "4506003",
        "Delta Garment Works",
        None,
        true,
    )
    .await
    .to_string();
    let planner = app.login("planner@delta.test").await;
    let page = planner.get(&format!("/orders/{id}")).await;
    assert!(
        !page.has("form[action$='/progress']"),
        "no form before confirmation"
    );
    let response = post(
        &planner,
        &id,
        vec![("a.png", png(4))],
        "progress-token-000000000004",
    )
    .await;
    let page = planner.follow(&response).await;
    assert!(
        page.text(".flash-error")
            .contains("at least one line is confirmed")
    );
    assert_eq!(progress_rows(&app).await, 0);
}

#[tokio::test]
async fn bad_uploads_are_refused_clearly_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let id = confirmed_order(&app, "4506004").await;
    let planner = app.login("planner@delta.test").await;
    let elf = {
        let mut b = vec![0x7F, b'E', b'L', b'F', 2, 1, 1, 0];
        b.extend(vec![0u8; 4000]);
        b
    };
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec();
    let mut truncated = png(5);
    truncated.truncate(truncated.len() / 2);
    let mut oversize = png(6);
    oversize.resize(10 * 1024 * 1024 + 1, 0);
    let cases: Vec<(&str, Files, &str)> = vec![
        ("oversize", vec![("big.png", oversize)], "larger than 10 MB"),
        ("zero bytes", vec![("empty.png", Vec::new())], "is empty"),
        (
            "executable renamed .jpg",
            vec![("photo.jpg", elf)],
            "not a JPEG, PNG, WebP, HEIC or PDF",
        ),
        (
            "PDF with a JPEG name",
            vec![("photo.jpg", pdf)],
            "name says one type",
        ),
        (
            "path traversal name",
            vec![("../../etc/passwd.png", png(7))],
            "looks like a path",
        ),
        (
            "too many files",
            (0..11).map(|n| ("p.png", png(n))).collect(),
            "At most 10 files",
        ),
        (
            "truncated image",
            vec![("half.png", truncated)],
            "damaged or incomplete",
        ),
    ];
    for (what, files, message) in cases {
        let response = post(
            &planner,
            &id,
            files,
            &format!("progress-token-bad-{}", what.replace(' ', "-")),
        )
        .await;
        assert_eq!(response.status, 422, "{what}: {}", response.status);
        assert!(
            response.text("#p-files-error").contains(message),
            "{what}: {}",
            response.text("#p-files-error")
        );
        assert_eq!(
            response.attr("#p-note", "value").unwrap_or_default(),
            "",
            "{what}"
        );
        assert!(
            response.text("#p-note").contains("Cutting done"),
            "{what}: the note typed is kept"
        );
        assert_eq!(progress_rows(&app).await, 0, "{what}");
        assert_eq!(stored_files(&app), 0, "{what}: nothing half-stored");
    }
}

#[tokio::test]
async fn several_large_phone_photos_fit_in_one_post() {
    let app = TestApp::spawn().await;
    let id = confirmed_order(&app, "4506005").await;
    let planner = app.login("planner@delta.test").await;
    // Four photos of about 4 MB each: a realistic post from a phone.
    let big = |seed: u8| {
        let img = image::RgbImage::from_fn(1200, 1200, |x, y| {
            let v = (x.wrapping_mul(2654435761) ^ y.wrapping_mul(40503) ^ u32::from(seed)) as u8;
            image::Rgb([v, v.wrapping_add(seed), v ^ 0x5a])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let files: Vec<Vec<u8>> = (1..=4).map(big).collect();
    assert!(
        files.iter().map(Vec::len).sum::<usize>() > 12 * 1024 * 1024,
        "the post is larger than the old 11 MB buffer"
    );
    let named = files
        .into_iter()
        .enumerate()
        .map(|(i, b)| (["a.png", "b.png", "c.png", "d.png"][i], b))
        .collect();
    let response = post(&planner, &id, named, "progress-token-000000000005").await;
    assert_eq!(response.status, 303, "{}", response.status);
    assert_eq!(progress_rows(&app).await, 1);
}

#[tokio::test]
async fn the_upload_script_gets_the_next_page_as_data_and_the_message_waits_for_it() {
    let app = TestApp::spawn().await;
    let id = confirmed_order(&app, "4500911").await;
    let planner = app
        .login("planner@delta.test")
        .await
        .with_header("X-Portico-Upload", "1");
    let sent = post(
        &planner,
        &id,
        vec![("line.png", png(3))],
        "script-upload-token-00000000001",
    )
    .await;
    assert_eq!(sent.status, 200, "not followed out of sight");
    assert_eq!(
        sent.header("x-portico-location").as_deref(),
        Some(format!("/orders/{id}#progress").as_str())
    );
    let page = planner.get(&format!("/orders/{id}")).await;
    assert!(
        page.text(".flash-success").contains("Progress posted"),
        "the message is still there when the script goes to the page"
    );
    // Without the header, forms work the ordinary way.
    let plain = app.login("planner@delta.test").await;
    let again = post(&plain, &id, vec![], "script-upload-token-00000000002").await;
    assert_eq!(again.status, 303);
}
