//! Organisations, their kinds, and the roles their users hold.

use std::fmt;

/// What an organisation is to Portico. Brands are tenants; the others are partners a brand
/// works with; the platform org holds the operators who create brands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrgKind {
    Platform,
    Brand,
    Supplier,
    Factory,
    Warehouse,
    Financier,
}

impl OrgKind {
    pub const PARTNER_KINDS: [OrgKind; 4] = [
        OrgKind::Supplier,
        OrgKind::Factory,
        OrgKind::Warehouse,
        OrgKind::Financier,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Platform => "platform",
            OrgKind::Brand => "brand",
            OrgKind::Supplier => "supplier",
            OrgKind::Factory => "factory",
            OrgKind::Warehouse => "warehouse",
            OrgKind::Financier => "financier",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "platform" => OrgKind::Platform,
            "brand" => OrgKind::Brand,
            "supplier" => OrgKind::Supplier,
            "factory" => OrgKind::Factory,
            "warehouse" => OrgKind::Warehouse,
            "financier" => OrgKind::Financier,
            _ => return None,
        })
    }

    pub fn is_partner(self) -> bool {
        Self::PARTNER_KINDS.contains(&self)
    }

    /// Message key of the kind's human name.
    pub fn label_key(self) -> &'static str {
        match self {
            OrgKind::Platform => "org_kind.platform",
            OrgKind::Brand => "org_kind.brand",
            OrgKind::Supplier => "org_kind.supplier",
            OrgKind::Factory => "org_kind.factory",
            OrgKind::Warehouse => "org_kind.warehouse",
            OrgKind::Financier => "org_kind.financier",
        }
    }

    /// The roles a user of an organisation of this kind can hold.
    pub fn roles(self) -> &'static [Role] {
        match self {
            OrgKind::Platform => &[Role::PlatformAdmin],
            OrgKind::Brand => &[Role::Admin, Role::Ops, Role::Quality, Role::Finance],
            _ => &[Role::Admin, Role::Member, Role::Viewer],
        }
    }
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    PlatformAdmin,
    /// Administers its own organisation (brand or partner).
    Admin,
    Ops,
    Quality,
    Finance,
    Member,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::Admin => "admin",
            Role::Ops => "ops",
            Role::Quality => "quality",
            Role::Finance => "finance",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    pub const ALL: [Role; 7] = [
        Role::PlatformAdmin,
        Role::Admin,
        Role::Ops,
        Role::Quality,
        Role::Finance,
        Role::Member,
        Role::Viewer,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// Parses a role and checks that an organisation of `kind` can grant it.
    pub fn parse_for(kind: OrgKind, value: &str) -> Option<Self> {
        kind.roles().iter().copied().find(|r| r.as_str() == value)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "role.platform_admin",
            Role::Admin => "role.admin",
            Role::Ops => "role.ops",
            Role::Quality => "role.quality",
            Role::Finance => "role.finance",
            Role::Member => "role.member",
            Role::Viewer => "role.viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a user may do. Checked in the service layer, never only in templates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Create brands and see every organisation (platform operators).
    OperatePlatform,
    /// Invite, suspend and reactivate a brand's partners.
    ManagePartners,
    /// Invite colleagues, change their roles, disable them.
    ManageOwnUsers,
    /// See the brand's partner list.
    ViewPartners,
    /// Create, issue and cancel purchase orders; decide on partners' proposals.
    ManageOrders,
    /// Confirm, reject or propose changes to orders placed with one's organisation.
    RespondToOrders,
    /// Approve or reject first samples (brand quality).
    ApproveSamples,
    /// Change the brand's settings.
    ManageBrandSettings,
    /// Accept or dispute suppliers' invoices and record repayments (brand finance).
    DecideInvoices,
    /// Offer, decline and disburse financing (a financier's admins and members).
    DecideFinancing,
    /// Open complaints and put suspect goods on hold (brand quality).
    ManageComplaints,
}

pub fn allows(kind: OrgKind, role: Role, permission: Permission) -> bool {
    match permission {
        Permission::OperatePlatform => kind == OrgKind::Platform && role == Role::PlatformAdmin,
        Permission::ManagePartners => kind == OrgKind::Brand && role == Role::Admin,
        Permission::ManageOwnUsers => kind != OrgKind::Platform && role == Role::Admin,
        Permission::ViewPartners => kind == OrgKind::Brand,
        Permission::ManageOrders => {
            kind == OrgKind::Brand && matches!(role, Role::Admin | Role::Ops)
        }
        Permission::ApproveSamples => {
            kind == OrgKind::Brand && matches!(role, Role::Admin | Role::Quality)
        }
        Permission::ManageBrandSettings => kind == OrgKind::Brand && role == Role::Admin,
        Permission::ManageComplaints => {
            kind == OrgKind::Brand && matches!(role, Role::Admin | Role::Quality)
        }
        Permission::DecideInvoices => {
            kind == OrgKind::Brand && matches!(role, Role::Admin | Role::Finance)
        }
        Permission::DecideFinancing => {
            kind == OrgKind::Financier && matches!(role, Role::Admin | Role::Member)
        }
        Permission::RespondToOrders => {
            matches!(kind, OrgKind::Supplier | OrgKind::Factory)
                && matches!(role, Role::Admin | Role::Member)
        }
    }
}

/// Organisation names: trimmed, 2 to 120 characters.
pub fn parse_org_name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    let len = name.chars().count();
    if len == 0 {
        Err("validation.required")
    } else if !(2..=120).contains(&len) || name.chars().any(char::is_control) {
        Err("validation.org_name")
    } else {
        Ok(name.to_owned())
    }
}

/// A person's display name: trimmed, 1 to 100 characters.
pub fn parse_person_name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    let len = name.chars().count();
    if len == 0 {
        Err("validation.required")
    } else if len > 100 || name.chars().any(char::is_control) {
        Err("validation.person_name")
    } else {
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_roles_are_not_partner_roles() {
        assert_eq!(Role::parse_for(OrgKind::Brand, "ops"), Some(Role::Ops));
        assert_eq!(Role::parse_for(OrgKind::Supplier, "ops"), None);
        assert_eq!(
            Role::parse_for(OrgKind::Factory, "viewer"),
            Some(Role::Viewer)
        );
        assert_eq!(Role::parse_for(OrgKind::Brand, "platform_admin"), None);
    }

    #[test]
    fn kinds_round_trip() {
        for kind in [
            OrgKind::Platform,
            OrgKind::Brand,
            OrgKind::Supplier,
            OrgKind::Factory,
            OrgKind::Warehouse,
            OrgKind::Financier,
        ] {
            assert_eq!(OrgKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(OrgKind::parse("bank"), None);
    }

    #[test]
    fn only_brand_admins_manage_partners() {
        assert!(allows(
            OrgKind::Brand,
            Role::Admin,
            Permission::ManagePartners
        ));
        assert!(!allows(
            OrgKind::Brand,
            Role::Ops,
            Permission::ManagePartners
        ));
        assert!(!allows(
            OrgKind::Supplier,
            Role::Admin,
            Permission::ManagePartners
        ));
    }

    #[test]
    fn partner_admins_manage_their_own_users_but_members_do_not() {
        assert!(allows(
            OrgKind::Supplier,
            Role::Admin,
            Permission::ManageOwnUsers
        ));
        assert!(!allows(
            OrgKind::Supplier,
            Role::Member,
            Permission::ManageOwnUsers
        ));
        assert!(!allows(
            OrgKind::Platform,
            Role::PlatformAdmin,
            Permission::ManageOwnUsers
        ));
    }

    #[test]
    fn brand_ops_manage_orders_and_supplier_members_respond() {
        assert!(allows(OrgKind::Brand, Role::Ops, Permission::ManageOrders));
        assert!(!allows(
            OrgKind::Brand,
            Role::Quality,
            Permission::ManageOrders
        ));
        assert!(allows(
            OrgKind::Factory,
            Role::Member,
            Permission::RespondToOrders
        ));
        assert!(!allows(
            OrgKind::Supplier,
            Role::Viewer,
            Permission::RespondToOrders
        ));
        assert!(!allows(
            OrgKind::Warehouse,
            Role::Admin,
            Permission::RespondToOrders
        ));
        assert!(!allows(
            OrgKind::Brand,
            Role::Admin,
            Permission::RespondToOrders
        ));
    }

    #[test]
    fn only_platform_admins_operate_the_platform() {
        assert!(allows(
            OrgKind::Platform,
            Role::PlatformAdmin,
            Permission::OperatePlatform
        ));
        assert!(!allows(
            OrgKind::Brand,
            Role::Admin,
            Permission::OperatePlatform
        ));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_org_name("  Acme "), Ok("Acme".to_owned()));
        assert_eq!(parse_org_name(" "), Err("validation.required"));
        assert_eq!(parse_org_name("A"), Err("validation.org_name"));
        assert!(parse_person_name(&"x".repeat(101)).is_err());
    }
}
