//! HubSpot-defined association types between the emulated object types: the id of each direction, the
//! id of the opposite direction, which are the "Primary" label and which is the pair's default
//! (unlabeled) type.

use super::ObjectType;
use ObjectType::{Companies, Contacts, Deals, Leads, Meetings};

/// One direction of a HubSpot-defined association type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssociationType {
    pub from: ObjectType,
    pub to: ObjectType,
    pub id: u32,
    /// The same association seen from the other record.
    pub reverse: u32,
    /// The "Primary" label (contact → primary company, lead → primary contact, ...).
    pub primary: bool,
}

const fn primary(from: ObjectType, id: u32, to: ObjectType, reverse: u32) -> AssociationType {
    AssociationType { from, to, id, reverse, primary: true }
}

const fn unlabeled(from: ObjectType, id: u32, to: ObjectType, reverse: u32) -> AssociationType {
    AssociationType { from, to, id, reverse, primary: false }
}

/// The ids HubSpot documents (lead ↔ primary contact 578, contact → company 279, ...); the reverse ids of
/// the lead pairs (579, 581, 583, 607, 609) follow HubSpot's numbering but are not in its table.
static TYPES: &[AssociationType] = &[
    primary(Contacts, 1, Companies, 2),
    unlabeled(Contacts, 279, Companies, 280),
    unlabeled(Contacts, 4, Deals, 3),
    unlabeled(Contacts, 199, Meetings, 200),
    primary(Contacts, 579, Leads, 578),
    unlabeled(Contacts, 607, Leads, 608),
    primary(Companies, 2, Contacts, 1),
    unlabeled(Companies, 280, Contacts, 279),
    primary(Companies, 6, Deals, 5),
    unlabeled(Companies, 342, Deals, 341),
    unlabeled(Companies, 187, Meetings, 188),
    primary(Companies, 581, Leads, 580),
    unlabeled(Companies, 609, Leads, 610),
    unlabeled(Deals, 3, Contacts, 4),
    primary(Deals, 5, Companies, 6),
    unlabeled(Deals, 341, Companies, 342),
    unlabeled(Deals, 211, Meetings, 212),
    primary(Deals, 583, Leads, 582),
    primary(Leads, 578, Contacts, 579),
    unlabeled(Leads, 608, Contacts, 607),
    primary(Leads, 580, Companies, 581),
    unlabeled(Leads, 610, Companies, 609),
    primary(Leads, 582, Deals, 583),
    unlabeled(Leads, 600, Meetings, 601),
    unlabeled(Meetings, 200, Contacts, 199),
    unlabeled(Meetings, 188, Companies, 187),
    unlabeled(Meetings, 212, Deals, 211),
    unlabeled(Meetings, 601, Leads, 600),
];

/// lead → primary contact: the association every lead must have.
pub const LEAD_TO_PRIMARY_CONTACT: u32 = 578;

/// The HubSpot-defined type `id` starting at `from`, if there is one.
pub fn type_of(from: ObjectType, id: u32) -> Option<&'static AssociationType> {
    TYPES.iter().find(|t| t.from == from && t.id == id)
}

/// The object type a HubSpot-defined association type leads to, from `from` (`deals`, 3 → `contacts`).
/// `None` for a type id that does not start at `from`.
pub fn target_of(from: ObjectType, id: u32) -> Option<ObjectType> {
    type_of(from, id).map(|t| t.to)
}

/// The pair's default (unlabeled) type: what `PUT .../associations/default/...` creates and what a
/// primary association always comes with.
pub fn default_type(from: ObjectType, to: ObjectType) -> Option<&'static AssociationType> {
    TYPES.iter().find(|t| t.from == from && t.to == to && !t.primary)
}

impl AssociationType {
    /// HubSpot's label in v4 answers: `"Primary"` or none.
    pub fn label(&self) -> Option<&'static str> {
        self.primary.then_some("Primary")
    }

    /// The v3 `associations` block's `type`: `contact_to_company`, and `contact_to_company_unlabeled` for
    /// the unlabeled type of a pair that also has a primary one. HubSpot's own names differ for meetings
    /// (`meeting_event_to_contact`) and for a lead's types (`lead_to_primary_contact`, and `lead_to_contact`
    /// for the unlabeled one), as the recordings under `fixtures/hubspot/{lead,meeting}` show.
    pub fn v3_name(&self) -> String {
        let name = |ty: ObjectType| if ty == Meetings { "meeting_event" } else { ty.singular() };
        let (from, to) = (name(self.from), name(self.to));
        if self.from == Leads {
            return if self.primary { format!("{from}_to_primary_{to}") } else { format!("{from}_to_{to}") };
        }
        let pair_has_primary = TYPES.iter().any(|t| t.from == self.from && t.to == self.to && t.primary);
        if !self.primary && pair_has_primary { format!("{from}_to_{to}_unlabeled") } else { format!("{from}_to_{to}") }
    }
}

/// The HubSpot-defined type from `from` whose v3 name is `name` (see [`AssociationType::v3_name`]).
pub fn type_named(from: ObjectType, name: &str) -> Option<&'static AssociationType> {
    TYPES.iter().find(|t| t.from == from && t.v3_name() == name)
}

/// [`target_of`] by name, for tests that seed an association's target: `("deals", 3)` → `"contacts"`.
pub fn association_target(from_object_type: &str, association_type_id: u32) -> Option<&'static str> {
    target_of(ObjectType::parse(from_object_type)?, association_type_id).map(ObjectType::name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn association_targets() {
        assert_eq!(association_target("deals", 3), Some("contacts"));
        assert_eq!(association_target("meetings", 212), Some("deals"));
        assert_eq!(association_target("leads", 578), Some("contacts"));
        assert_eq!(association_target("contacts", 578), None);
    }

    #[test]
    fn every_type_has_its_reverse() {
        for t in TYPES {
            let back = type_of(t.to, t.reverse).unwrap_or_else(|| panic!("{t:?} has no reverse"));
            assert_eq!((back.to, back.reverse, back.primary), (t.from, t.id, t.primary), "{t:?}");
        }
    }

    #[test]
    fn defaults_and_names() {
        assert_eq!(default_type(Contacts, Companies).map(|t| t.id), Some(279));
        assert_eq!(default_type(Deals, Contacts).map(|t| t.id), Some(3));
        assert_eq!(default_type(Leads, Deals), None, "lead → deal only has the primary type");
        assert_eq!(type_of(Contacts, 1).unwrap().v3_name(), "contact_to_company");
        assert_eq!(type_of(Contacts, 279).unwrap().v3_name(), "contact_to_company_unlabeled");
        assert_eq!(type_of(Deals, 3).unwrap().v3_name(), "deal_to_contact");
        assert_eq!(type_of(Companies, 6).unwrap().label(), Some("Primary"));
        assert_eq!(type_of(Leads, 578).unwrap().v3_name(), "lead_to_primary_contact");
        assert_eq!(type_of(Leads, 608).unwrap().v3_name(), "lead_to_contact");
        assert_eq!(type_of(Meetings, 200).unwrap().v3_name(), "meeting_event_to_contact");
        assert_eq!(type_of(Deals, 211).unwrap().v3_name(), "deal_to_meeting_event");
        assert_eq!(type_named(Contacts, "contact_to_company_unlabeled").map(|t| t.id), Some(279));
        assert_eq!(type_named(Deals, "contact_to_company"), None, "names are per direction");
    }
}
