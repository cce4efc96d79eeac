//! Each unified resource as a HubSpot object type: the object, the properties and associations a read
//! asks for, what else its records need, and its read mapping. The read flows are written once over this.

use std::collections::HashMap;

use unified_core::Resource;
use unified_core::resource::{Attendee, Company, Contact, Deal, Lead, Meeting, Text};

use crate::mapping::contact::PersonRecord;
use crate::mapping::links::Links;
use crate::mapping::{ReadContext, company, contact, deal, lead, meeting};
use crate::wire::CrmObject;

/// What a record needs beside its object and associations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    /// The e-mail and name of each associated contact (a meeting's attendees).
    Attendees,
    /// The person fields of the associated contact (a lead's person).
    Person,
}

/// Data read for [`Needs`], by contact id.
#[derive(Debug, Default)]
pub struct Extra {
    pub attendees: HashMap<String, Attendee>,
    pub persons: HashMap<String, PersonRecord>,
}

pub trait Kind: 'static {
    type Record: Resource + Owned;
    const OBJECT: &'static str;
    /// The property HubSpot moves on every change: `lastmodifieddate` for contacts, `hs_lastmodifieddate`
    /// for every other object.
    const MODIFIED: &'static str;
    const MAPPED: &'static [&'static str];
    const LINKS: &'static [&'static str];
    const NEEDS: Needs;

    fn record(object: &CrmObject<'_>, links: &Links, extra: &Extra, ctx: &ReadContext<'_>) -> Self::Record;
}

/// A record's owner fields.
pub trait Owned {
    fn owner_id(&self) -> Option<&str>;
    fn set_owner(&mut self, name: Option<Text>, email: Option<Text>);
}

macro_rules! owned {
    ($($ty:ty),*) => {$(
        impl Owned for $ty {
            fn owner_id(&self) -> Option<&str> {
                self.owner_id.as_deref()
            }

            fn set_owner(&mut self, name: Option<Text>, email: Option<Text>) {
                self.owner_name = name;
                self.owner_email = email;
            }
        }
    )*};
}
owned!(Contact, Lead, Deal, Meeting, Company);

pub struct Contacts;
pub struct Leads;
pub struct Deals;
pub struct Meetings;
pub struct Companies;

impl Kind for Contacts {
    type Record = Contact;
    const OBJECT: &'static str = contact::OBJECT;
    const MODIFIED: &'static str = "lastmodifieddate";
    const MAPPED: &'static [&'static str] = contact::MAPPED;
    const LINKS: &'static [&'static str] = contact::LINKS;
    const NEEDS: Needs = Needs::Nothing;

    fn record(object: &CrmObject<'_>, links: &Links, _: &Extra, ctx: &ReadContext<'_>) -> Contact {
        contact::to_contact(object, links, ctx)
    }
}

impl Kind for Leads {
    type Record = Lead;
    const OBJECT: &'static str = lead::OBJECT;
    const MODIFIED: &'static str = "hs_lastmodifieddate";
    const MAPPED: &'static [&'static str] = lead::MAPPED;
    const LINKS: &'static [&'static str] = lead::LINKS;
    const NEEDS: Needs = Needs::Person;

    fn record(object: &CrmObject<'_>, links: &Links, extra: &Extra, ctx: &ReadContext<'_>) -> Lead {
        let person = links.of(contact::OBJECT).iter().find_map(|id| extra.persons.get(id.as_str())).cloned();
        lead::to_lead(object, person, ctx)
    }
}

impl Kind for Deals {
    type Record = Deal;
    const OBJECT: &'static str = deal::OBJECT;
    const MODIFIED: &'static str = "hs_lastmodifieddate";
    const MAPPED: &'static [&'static str] = deal::MAPPED;
    const LINKS: &'static [&'static str] = deal::LINKS;
    const NEEDS: Needs = Needs::Nothing;

    fn record(object: &CrmObject<'_>, links: &Links, _: &Extra, ctx: &ReadContext<'_>) -> Deal {
        deal::to_deal(object, links, ctx)
    }
}

impl Kind for Meetings {
    type Record = Meeting;
    const OBJECT: &'static str = meeting::OBJECT;
    const MODIFIED: &'static str = "hs_lastmodifieddate";
    const MAPPED: &'static [&'static str] = meeting::MAPPED;
    const LINKS: &'static [&'static str] = meeting::LINKS;
    const NEEDS: Needs = Needs::Attendees;

    fn record(object: &CrmObject<'_>, links: &Links, extra: &Extra, ctx: &ReadContext<'_>) -> Meeting {
        let attendees =
            links.of(contact::OBJECT).iter().filter_map(|id| extra.attendees.get(id.as_str())).cloned().collect();
        meeting::to_meeting(object, links, attendees, ctx)
    }
}

impl Kind for Companies {
    type Record = Company;
    const OBJECT: &'static str = company::OBJECT;
    const MODIFIED: &'static str = "hs_lastmodifieddate";
    const MAPPED: &'static [&'static str] = company::MAPPED;
    const LINKS: &'static [&'static str] = company::LINKS;
    const NEEDS: Needs = Needs::Nothing;

    fn record(object: &CrmObject<'_>, _: &Links, _: &Extra, ctx: &ReadContext<'_>) -> Company {
        company::to_company(object, ctx)
    }
}
