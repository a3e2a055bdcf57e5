//! How the harness aims a route at each foreign object: the placeholders of its path and form
//! (`{id}`, `{file}`, `{kind}`, …), what fills them, and the request sent.

use std::collections::HashMap;

use super::{Method, Object, RouteCase};
use crate::support::isolation::{Actor, OnSameOrder};
use crate::support::{Page, TestApp, TestClient};

/// The placeholders of one request and their values.
pub type Binding = Vec<(&'static str, String)>;

/// `text` with every placeholder of the binding filled.
pub fn fill(text: &str, b: &Binding) -> String {
    b.iter().fold(text.to_owned(), |out, (placeholder, value)| {
        out.replace(placeholder, value)
    })
}

/// One binding per object of this kind that is foreign to the actor.
pub fn targets(
    object: Object,
    actor: &Actor,
    on_same_order: &HashMap<String, OnSameOrder>,
) -> Vec<Binding> {
    let one = |placeholder: &'static str, ids: &[String]| -> Vec<Binding> {
        ids.iter()
            .map(|id| vec![(placeholder, id.clone())])
            .collect()
    };
    match object {
        Object::PartnerOrg => one("{org}", &actor.foreign_partners),
        Object::User => one("{user}", &actor.foreign_users),
        Object::Invitation => one("{id}", &actor.foreign_invitations),
        Object::ApiClient => one("{id}", &actor.foreign_api_clients),
        Object::Order => actor
            .foreign_orders
            .iter()
            .map(|id| vec![("{id}", id.clone()), ("{line}", "1".to_owned())])
            .collect(),
        Object::File => actor
            .foreign_files
            .iter()
            .map(|(order, file)| vec![("{id}", order.clone()), ("{file}", file.clone())])
            .collect(),
        // The sample, inspection or component on the same order as the foreign file, asked for
        // in the same way.
        Object::Sample | Object::Inspection | Object::Component => actor
            .foreign_files
            .iter()
            .filter_map(|(order, file)| on_same_order.get(file).map(|o| (order, o)))
            .map(|(order, o)| {
                vec![
                    ("{id}", order.clone()),
                    ("{sample}", o.sample.clone()),
                    ("{inspection}", o.inspection.clone()),
                    ("{component}", o.component.clone()),
                ]
            })
            .collect(),
        Object::Asn => one("{asn}", &actor.foreign_asns),
        Object::Alert => one("{alert}", &actor.foreign_alerts),
        Object::Invoice => one("{invoice}", &actor.foreign_invoices),
        Object::Program => one("{program}", &actor.foreign_programs),
        Object::Financing => one("{financing}", &actor.foreign_financings),
        Object::Calendar => one("{calendar}", &actor.foreign_calendars),
        Object::Policy => one("{policy}", &actor.foreign_policies),
        Object::TraceNode => actor
            .foreign_nodes
            .iter()
            .map(|(kind, id)| vec![("{kind}", (*kind).to_owned()), ("{id}", id.clone())])
            .collect(),
        Object::Complaint => actor
            .foreign_complaints
            .iter()
            .map(|c| {
                vec![
                    ("{complaint}", c.id.clone()),
                    ("{root}", c.other_root.clone()),
                ]
            })
            .collect(),
        Object::LotCode => one("{lot_code}", &actor.foreign_lot_codes),
        Object::Webhook => actor
            .foreign_webhooks
            .iter()
            .map(|(w, d)| vec![("{webhook}", w.clone()), ("{delivery}", d.clone())])
            .collect(),
        Object::None => vec![Vec::new()],
    }
}

/// Sends the case aimed at one object: its placeholders filled in the path and the form.
pub async fn request(client: &TestClient, case: &RouteCase, b: &Binding) -> Page {
    let path = fill(case.pattern, b);
    let filled: Vec<(&str, String)> = case.form.iter().map(|(k, v)| (*k, fill(v, b))).collect();
    let form: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (*k, v.as_str())).collect();
    match case.method {
        Method::Get if form.is_empty() => client.get(&path).await,
        Method::Get => {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&form)
                .finish();
            client.get(&format!("{path}?{query}")).await
        }
        Method::Post => client.post(&path, &form).await,
        Method::Upload => {
            client
                .post_multipart(&path, &form, Some(crate::support::orders::png(9)))
                .await
        }
        Method::ImportCsv => {
            let header: Vec<&str> = form.iter().map(|(k, _)| *k).collect();
            let row: Vec<&str> = form.iter().map(|(_, v)| *v).collect();
            let csv = format!("{}\n{}\n", header.join(","), row.join(","));
            client
                .upload(&path, "file", "batches.csv", csv.into_bytes())
                .await
        }
    }
}

/// Everything a tenant-scoped request could change, the trace and complaints included.
pub async fn fingerprint(app: &TestApp) -> String {
    let trace = crate::support::isolation::trace::fingerprint(app).await;
    format!("{}{trace}", app.fingerprint().await)
}
