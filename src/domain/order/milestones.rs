//! A brand's milestone template: the built-in milestones (renamable, reorderable, switchable
//! off) plus milestones of its own. Built-ins keep their meaning (which ones production is,
//! which one is the brand's); a brand's own milestone says whether it is a production step.

use super::progress::Milestone;

/// Longest milestone name, so it fits a phone's select box.
pub const MAX_LABEL: usize = 60;
/// Most milestones a template may hold.
pub const MAX_STEPS: usize = 30;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub code: String,
    /// The brand's name for it; empty for a built-in means its standard, translated name.
    pub label: String,
    /// For the brand's own milestones: production is running (gated by the first sample).
    pub production: bool,
    pub active: bool,
}

impl Step {
    pub fn builtin(&self) -> Option<Milestone> {
        Milestone::parse(&self.code)
    }

    /// Everything but the brand's own approval of the sample is the partner's to report.
    pub fn partner_reports(&self) -> bool {
        self.builtin().is_none_or(Milestone::partner_reports)
    }

    pub fn is_production(&self) -> bool {
        match self.builtin() {
            Some(m) => m.is_production(),
            None => self.production,
        }
    }
}

impl From<Milestone> for Step {
    fn from(m: Milestone) -> Self {
        Step {
            code: m.as_str().to_owned(),
            label: String::new(),
            production: m.is_production(),
            active: true,
        }
    }
}

/// The template of a brand that never edited its own.
pub fn default_template() -> Vec<Step> {
    Milestone::DEFAULTS.into_iter().map(Step::from).collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateRefusal {
    #[error("a milestone of the brand's own needs a name")]
    LabelRequired,
    #[error("the name is too long")]
    LabelTooLong,
    #[error("two milestones have the same name")]
    DuplicateLabel,
    #[error("at least one milestone must be in use for partners to report")]
    NothingReportable,
    #[error("too many milestones")]
    TooMany,
}

impl TemplateRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            TemplateRefusal::LabelRequired => "milestones.refused.label_required",
            TemplateRefusal::LabelTooLong => "milestones.refused.label_too_long",
            TemplateRefusal::DuplicateLabel => "milestones.refused.duplicate",
            TemplateRefusal::NothingReportable => "milestones.refused.nothing_reportable",
            TemplateRefusal::TooMany => "milestones.refused.too_many",
        }
    }
}

/// Checks one name: built-ins may keep theirs (empty), the brand's own need one.
pub fn check_label(step: &Step) -> Result<(), TemplateRefusal> {
    let len = step.label.trim().chars().count();
    if len == 0 && step.builtin().is_none() {
        return Err(TemplateRefusal::LabelRequired);
    }
    if len > MAX_LABEL || step.label.chars().any(char::is_control) {
        return Err(TemplateRefusal::LabelTooLong);
    }
    Ok(())
}

/// Checks a whole template; on a name problem, says which step (by code).
pub fn check_template(steps: &[Step]) -> Result<(), (Option<String>, TemplateRefusal)> {
    if steps.len() > MAX_STEPS {
        return Err((None, TemplateRefusal::TooMany));
    }
    let mut seen = std::collections::HashSet::new();
    for step in steps {
        check_label(step).map_err(|r| (Some(step.code.clone()), r))?;
        let name = step.label.trim().to_lowercase();
        if !name.is_empty() && !seen.insert(name) {
            return Err((Some(step.code.clone()), TemplateRefusal::DuplicateLabel));
        }
    }
    if !steps.iter().any(|s| s.active && s.partner_reports()) {
        return Err((None, TemplateRefusal::NothingReportable));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(label: &str, production: bool) -> Step {
        Step {
            code: "own-1".into(),
            label: label.into(),
            production,
            active: true,
        }
    }

    #[test]
    fn built_ins_keep_their_meaning_and_own_milestones_say_theirs() {
        let template = default_template();
        assert_eq!(template.len(), 8);
        assert!(template.iter().all(|s| s.active && s.label.is_empty()));
        let mut renamed = Step::from(Milestone::ProductionStarted);
        renamed.production = false;
        assert!(renamed.is_production(), "a built-in's meaning is fixed");
        assert!(!Step::from(Milestone::FirstSampleApproved).partner_reports());
        assert!(own("Embroidery done", true).is_production());
        assert!(!own("Fabric lab-dip approved", false).is_production());
        assert!(own("Anything", false).partner_reports());
    }

    #[test]
    fn a_template_needs_names_unique_and_something_to_report() {
        assert_eq!(check_template(&default_template()), Ok(()));
        let mut with_own = default_template();
        with_own.push(own("  ", false));
        assert_eq!(
            check_template(&with_own),
            Err((Some("own-1".into()), TemplateRefusal::LabelRequired))
        );
        with_own.last_mut().unwrap().label = "x".repeat(MAX_LABEL + 1);
        assert_eq!(
            check_template(&with_own).unwrap_err().1,
            TemplateRefusal::LabelTooLong
        );
        with_own.last_mut().unwrap().label = "Embroidery".into();
        with_own[0].label = "embroidery ".into();
        assert_eq!(
            check_template(&with_own).unwrap_err().1,
            TemplateRefusal::DuplicateLabel
        );
        let mut none_active = default_template();
        for s in &mut none_active {
            s.active = s.code == Milestone::FirstSampleApproved.as_str();
        }
        assert_eq!(
            check_template(&none_active),
            Err((None, TemplateRefusal::NothingReportable))
        );
        let too_many: Vec<Step> = (0..=MAX_STEPS)
            .map(|i| Step {
                code: format!("own-{i}"),
                label: format!("Step {i}"),
                production: false,
                active: true,
            })
            .collect();
        assert_eq!(
            check_template(&too_many),
            Err((None, TemplateRefusal::TooMany))
        );
    }
}
