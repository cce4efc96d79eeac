//! The emulated portal's data model: object types, their properties (HubSpot's defaults and the portal's
//! custom ones, in `schema/catalog.rs`), enumeration options, the default pipelines and the
//! HubSpot-defined association types (`schema/association_types.rs`).

mod association_types;
mod catalog;

pub use association_types::{
    AssociationType, LEAD_TO_PRIMARY_CONTACT, association_target, default_type, type_named, type_of,
};
pub use catalog::{DEFAULT_DEAL_PIPELINE, DEFAULT_LEAD_PIPELINE, FIRST_LEAD_STAGE, deal_stage_probability};

/// A CRM object type the emulator stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectType {
    Contacts,
    Companies,
    Deals,
    Leads,
    Meetings,
}

impl ObjectType {
    pub const ALL: [ObjectType; 5] = [Self::Contacts, Self::Companies, Self::Deals, Self::Leads, Self::Meetings];

    /// A path segment: the plural name, the singular name or the objectTypeId, as HubSpot accepts them.
    pub fn parse(segment: &str) -> Option<Self> {
        Some(match segment.to_ascii_lowercase().as_str() {
            "contacts" | "contact" | "0-1" => Self::Contacts,
            "companies" | "company" | "0-2" => Self::Companies,
            "deals" | "deal" | "0-3" => Self::Deals,
            "leads" | "lead" | "0-136" => Self::Leads,
            "meetings" | "meeting" | "0-47" => Self::Meetings,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Contacts => "contacts",
            Self::Companies => "companies",
            Self::Deals => "deals",
            Self::Leads => "leads",
            Self::Meetings => "meetings",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            Self::Contacts => "contact",
            Self::Companies => "company",
            Self::Deals => "deal",
            Self::Leads => "lead",
            Self::Meetings => "meeting",
        }
    }

    /// As HubSpot names the type in association errors (`CONTACT=123 is not valid`).
    pub fn upper(self) -> &'static str {
        match self {
            Self::Contacts => "CONTACT",
            Self::Companies => "COMPANY",
            Self::Deals => "DEAL",
            Self::Leads => "LEAD",
            Self::Meetings => "MEETING",
        }
    }

    /// HubSpot's objectTypeId (`0-1` for contacts).
    pub fn type_id(self) -> &'static str {
        match self {
            Self::Contacts => "0-1",
            Self::Companies => "0-2",
            Self::Deals => "0-3",
            Self::Leads => "0-136",
            Self::Meetings => "0-47",
        }
    }

    /// The property that holds the creation instant (meetings and leads use the `hs_` one).
    pub fn created_property(self) -> &'static str {
        match self {
            Self::Leads | Self::Meetings => "hs_createdate",
            _ => "createdate",
        }
    }

    /// The property that holds the last modification instant: `lastmodifieddate` on contacts,
    /// `hs_lastmodifieddate` on every other type (what incremental searches filter and sort on).
    pub fn modified_property(self) -> &'static str {
        match self {
            Self::Contacts => "lastmodifieddate",
            Self::Companies | Self::Deals | Self::Leads | Self::Meetings => "hs_lastmodifieddate",
        }
    }

    /// Whether `name` reads the last modification instant (deals answer to both names).
    pub fn is_modified_property(self, name: &str) -> bool {
        name == self.modified_property() || (self == Self::Deals && name == "lastmodifieddate")
    }

    /// Where each type's id counter starts: realistic 11-digit ids.
    pub fn first_id(self) -> u64 {
        match self {
            Self::Contacts => 10_451_230_001,
            Self::Companies => 21_678_230_001,
            Self::Deals => 32_759_100_001,
            Self::Leads => 41_235_500_001,
            Self::Meetings => 70_231_500_001,
        }
    }

    /// The properties of this type: HubSpot's defaults, then the portal's custom ones.
    pub fn properties(self) -> &'static [Property] {
        catalog::properties(self)
    }

    pub fn property(self, name: &str) -> Option<&'static Property> {
        self.properties().iter().find(|p| p.name == name)
    }

    /// What a read without `properties=` returns (besides the system properties).
    pub fn default_read(self) -> &'static [&'static str] {
        match self {
            Self::Contacts => &["email", "firstname", "lastname"],
            Self::Companies => &["domain", "name"],
            Self::Deals => &["amount", "closedate", "dealname", "dealstage", "pipeline"],
            Self::Leads => &["hs_lead_name", "hs_pipeline", "hs_pipeline_stage"],
            Self::Meetings => &["hs_meeting_title", "hs_timestamp"],
        }
    }

    /// What a search's `query` text is matched against (HubSpot's default searchable properties).
    pub fn searchable(self) -> &'static [&'static str] {
        match self {
            Self::Contacts => &["firstname", "lastname", "email", "phone", "mobilephone", "fax", "company"],
            Self::Companies => &["name", "domain", "website", "phone"],
            Self::Deals => &["dealname", "pipeline", "dealstage", "description", "dealtype"],
            Self::Leads => &["hs_lead_name"],
            Self::Meetings => &["hs_meeting_title", "hs_meeting_body"],
        }
    }

    /// Properties a create must carry (a blank value counts as missing).
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Self::Deals => &["dealname", "dealstage"],
            Self::Leads => &["hs_lead_name"],
            Self::Meetings => &["hs_timestamp"],
            Self::Companies | Self::Contacts => &[],
        }
    }

    /// The `groupName` HubSpot files this type's default properties under.
    pub fn property_group(self) -> &'static str {
        match self {
            Self::Contacts => "contactinformation",
            Self::Companies => "companyinformation",
            Self::Deals => "dealinformation",
            Self::Leads => "leadinformation",
            Self::Meetings => "engagement",
        }
    }
}

/// A property definition.
#[derive(Debug)]
pub struct Property {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    /// Created by the portal, not HubSpot-defined.
    pub custom: bool,
    pub access: Access,
    /// How HubSpot's UI shows it, when not its kind's usual field (`radio`, `textarea`, `html`).
    pub field_type: Option<&'static str>,
}

impl Property {
    /// Set by HubSpot only: a write is refused.
    pub fn read_only(&self) -> bool {
        self.access != Access::Writable
    }

    /// Shown as `field_type` rather than its kind's usual field.
    pub const fn shown_as(self, field_type: &'static str) -> Self {
        Self { field_type: Some(field_type), ..self }
    }

    /// The properties API's `type` and `fieldType`. A portal's own calculation is a
    /// `calculation_equation`; HubSpot's calculated properties show as their kind does (the recorded
    /// properties API answers under `fixtures/hubspot`).
    pub fn wire_types(&self) -> (&'static str, &'static str) {
        let (kind, field) = self.kind.wire_types();
        let field = match self.field_type {
            Some(field) => field,
            None if self.custom && self.access == Access::Calculated => "calculation_equation",
            None => field,
        };
        (kind, field)
    }
}

/// Who may write a property's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Writable,
    /// Maintained by HubSpot (ids, timestamps, counters).
    ReadOnly,
    /// A calculation or roll-up HubSpot derives from other values (`calculated: true`).
    Calculated,
}

#[derive(Debug)]
pub enum Kind {
    Text,
    Number,
    /// ISO 8601 or epoch milliseconds; stored and echoed as an ISO instant.
    DateTime,
    Email,
    /// An owner id: an integer.
    Owner,
    Enumeration(&'static Enumeration),
}

impl Kind {
    /// HubSpot's `type` and `fieldType` for the properties API.
    pub fn wire_types(&self) -> (&'static str, &'static str) {
        match self {
            Self::Text | Self::Email => ("string", "text"),
            Self::Number => ("number", "number"),
            Self::DateTime => ("datetime", "date"),
            Self::Owner | Self::Enumeration(_) => ("enumeration", "select"),
        }
    }
}

/// An enumeration's options, and how HubSpot lists them in an `INVALID_OPTION` message.
#[derive(Debug)]
pub struct Enumeration {
    /// `(label, internal value)`.
    pub options: &'static [(&'static str, &'static str)],
    pub listing: Listing,
    /// Custom options have numeric internal values (custom lifecycle stages since 2022-09).
    pub numeric_allowed: bool,
}

#[derive(Debug, Clone, Copy)]
pub enum Listing {
    /// `[appointmentscheduled, qualifiedtobuy, ...]`
    Values,
    /// `[label: "Cold"\nvalue: "COLD"\n, ...]`
    LabelsAndValues,
}

impl Enumeration {
    pub fn allows(&self, value: &str) -> bool {
        self.options.iter().any(|(_, v)| *v == value)
            || (self.numeric_allowed && !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
    }

    /// The `[...]` part of HubSpot's `X was not one of the allowed options: [...]`.
    pub fn listing(&self) -> String {
        let items: Vec<String> = match self.listing {
            Listing::Values => self.options.iter().map(|(_, value)| (*value).to_owned()).collect(),
            Listing::LabelsAndValues => {
                self.options.iter().map(|(label, value)| format!("label: \"{label}\"\nvalue: \"{value}\"\n")).collect()
            }
        };
        format!("[{}]", items.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_round_trip() {
        for ty in ObjectType::ALL {
            assert_eq!(ObjectType::parse(ty.name()), Some(ty));
            assert_eq!(ObjectType::parse(ty.singular()), Some(ty));
            assert_eq!(ObjectType::parse(ty.type_id()), Some(ty));
            assert_eq!(ty.first_id().to_string().len(), 11);
        }
        assert_eq!(ObjectType::parse("0-136"), Some(ObjectType::Leads));
        assert_eq!(ObjectType::parse("widgets"), None);
    }

    #[test]
    fn modification_properties_per_type() {
        assert_eq!(ObjectType::Contacts.modified_property(), "lastmodifieddate");
        for ty in [ObjectType::Deals, ObjectType::Leads, ObjectType::Meetings, ObjectType::Companies] {
            assert_eq!(ty.modified_property(), "hs_lastmodifieddate", "{ty:?}");
            assert!(ty.property(ty.modified_property()).is_some_and(Property::read_only), "{ty:?}");
        }
        assert!(ObjectType::Deals.is_modified_property("lastmodifieddate"));
        assert!(!ObjectType::Contacts.is_modified_property("hs_lastmodifieddate"));
    }

    #[test]
    fn every_system_and_required_property_is_defined() {
        for ty in ObjectType::ALL {
            for name in [ty.created_property(), ty.modified_property(), "hs_object_id"] {
                assert!(ty.property(name).is_some_and(Property::read_only), "{ty:?} {name}");
            }
            for name in ty.default_read().iter().chain(ty.required()).chain(ty.searchable()) {
                assert!(ty.property(name).is_some_and(|p| !p.read_only()), "{ty:?} {name}");
            }
        }
    }
}
