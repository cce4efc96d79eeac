//! meeting ⇄ Pipedrive Activity of type `meeting` (`POST /api/v2/activities`).
//!
//! Pipedrive stores a start (`due_date` + `due_time`, UTC, to the minute) and a `duration` (`HH:MM`), not
//! an end: the end is start + duration both ways. `contactIds` become participants (the first primary),
//! `attendees` the activity's invitees by e-mail, `description` the public description.
//!
//! Activities have no custom fields: `customFields` takes the activity's own extras (`note`, `busy`,
//! `done`, `priority`, `type`, `lead_id`, `org_id`), and the record reports those the activity has set.

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use serde_json::Value;
use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Attendee, CustomFields, Meeting, MeetingInput, Text};
use unified_core::time::Timestamp;

use super::contact::setting;
use super::{MEETING_TYPE_SETTING, id_text, numeric_id, text, timestamp};
use crate::wire::{Activity, ActivityAttendee, ActivityCreate, Location, Participant};

/// The activity type of a meeting, unless the connection names another.
pub const MEETING_TYPE: &str = "meeting";

/// The activity fields `customFields` may set.
pub const EXTRAS: &[&str] = &["note", "busy", "done", "priority", "type", "lead_id", "org_id"];

fn utc(field: &str, value: Option<&str>, problems: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    let value = value?;
    match Timestamp::parse(value) {
        Some(t) => Some(t.0.with_second(0)?.with_nanosecond(0)?),
        None => {
            problems.push(FieldError::new(field, "must be an RFC 3339 date-time"));
            None
        }
    }
}

/// `HH:MM`, hours past 24 allowed (a two-day workshop is `48:00`).
pub fn duration(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `HH:MM` → minutes.
pub fn duration_minutes(text: &str) -> Option<i64> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.get(..2).unwrap_or(m).parse().ok()?);
    (h >= 0 && (0..60).contains(&m)).then_some(h * 60 + m)
}

/// `POST /api/v2/activities`. Times are cut to the minute, Pipedrive's precision.
pub fn create_request(input: &MeetingInput, settings: &Settings) -> Result<ActivityCreate, Vec<FieldError>> {
    let mut problems = Vec::new();
    let start = utc("startTime", input.start_time.as_deref(), &mut problems);
    let end = utc("endTime", input.end_time.as_deref(), &mut problems);
    let minutes = match (start, end) {
        (Some(start), Some(end)) if end > start => (end - start).num_minutes(),
        (Some(_), Some(_)) => {
            problems.push(FieldError::new(
                "endTime",
                "must be at least a minute after startTime (Pipedrive counts minutes)",
            ));
            0
        }
        _ => 0,
    };
    let participants: Vec<Participant> = input
        .contact_ids
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, id)| numeric_id(&format!("contactIds[{i}]"), Some(id), &mut problems))
        .enumerate()
        .map(|(i, person_id)| Participant { person_id, primary: i == 0 })
        .collect();
    let mut body = ActivityCreate {
        subject: input.title.as_deref().unwrap_or_default().trim().to_owned(),
        kind: setting(settings, MEETING_TYPE_SETTING).unwrap_or(MEETING_TYPE).to_owned(),
        owner_id: numeric_id("ownerId", input.owner_id.as_deref(), &mut problems),
        deal_id: numeric_id("dealId", input.deal_id.as_deref(), &mut problems),
        due_date: start.map(|s| s.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        due_time: start.map(|s| s.format("%H:%M").to_string()).unwrap_or_default(),
        duration: duration(minutes),
        location: text(input.location.as_deref()).map(|value| Location { value: Some(value.into()) }),
        participants,
        attendees: input
            .attendees
            .iter()
            .flatten()
            .map(|a| ActivityAttendee {
                email: text(a.email.as_deref()).map(Into::into),
                name: text(a.name.as_deref()).map(Into::into),
            })
            .collect(),
        public_description: text(input.description.as_deref()).map(Into::into),
        ..ActivityCreate::default()
    };
    extras(&mut body, input.custom_fields.as_ref(), &mut problems);
    if problems.is_empty() { Ok(body) } else { Err(problems) }
}

fn extras(body: &mut ActivityCreate, custom: Option<&CustomFields>, problems: &mut Vec<FieldError>) {
    for (name, value) in custom.into_iter().flatten() {
        let field = format!("customFields.{name}");
        let mut bad = |what: &str| problems.push(FieldError::new(field.clone(), format!("must be {what}")));
        match (name.as_str(), value) {
            ("note", Value::String(s)) => body.note = Some(s.clone()),
            ("note", _) => bad("text (HTML allowed)"),
            ("busy", Value::Bool(b)) => body.busy = Some(*b),
            ("done", Value::Bool(b)) => body.done = Some(*b),
            ("busy" | "done", _) => bad("true or false"),
            ("priority", v) if v.as_u64().is_some() => body.priority = v.as_u64(),
            ("priority", _) => bad("a priority id (an integer)"),
            ("type", Value::String(s)) if !s.trim().is_empty() => body.kind = s.trim().to_owned(),
            ("type", _) => bad("an activity type key such as `meeting` or `call`"),
            ("lead_id", Value::String(s)) if !s.trim().is_empty() => body.lead_id = Some(s.trim().to_owned()),
            ("lead_id", _) => bad("a lead id (a UUID)"),
            ("org_id", v) => match v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())) {
                Some(id) => body.org_id = Some(id),
                None => bad("an organization id (an integer)"),
            },
            _ => problems.push(FieldError::new(
                field,
                format!(
                    "Pipedrive activities have no custom fields; customFields takes the activity fields {}",
                    EXTRAS.join(", ")
                ),
            )),
        }
    }
}

/// The start a stored activity says: `due_date` + `due_time`, UTC.
pub fn start_of(activity: &Activity) -> Option<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(activity.due_date.as_deref()?, "%Y-%m-%d").ok()?;
    let time = activity.due_time.as_deref().filter(|t| !t.is_empty()).unwrap_or("00:00");
    let time =
        NaiveTime::parse_from_str(time, "%H:%M").or_else(|_| NaiveTime::parse_from_str(time, "%H:%M:%S")).ok()?;
    Some(date.and_time(time).and_utc())
}

/// The unified meeting from a stored activity. Pipedrive answers with the attendees only when asked for
/// (`include_fields=attendees`): an activity read without them has `attendees: null`.
pub fn to_meeting(activity: &Activity) -> Meeting {
    let id = Text::from(activity.id.to_string());
    let start = start_of(activity);
    let end = start
        .zip(activity.duration.as_deref().and_then(duration_minutes))
        .map(|(s, m)| s + chrono::Duration::minutes(m));
    let attendees: Option<Vec<Attendee>> = activity.attendees.as_ref().map(|stored| {
        stored.iter().map(|a| Attendee { email: text(a.email.as_deref()), name: text(a.name.as_deref()) }).collect()
    });
    let contact_ids: Vec<Text> = activity.participants.iter().map(|p| Text::from(p.person_id.to_string())).collect();
    Meeting {
        remote_id: id.clone(),
        id,
        title: text(activity.subject.as_deref()),
        description: text(activity.public_description.as_deref()),
        start_time: start.map(Timestamp),
        end_time: end.map(Timestamp),
        location: activity.location.as_ref().and_then(|l| text(l.value.as_deref())),
        attendees: attendees.filter(|a| !a.is_empty()),
        contact_ids: (!contact_ids.is_empty()).then_some(contact_ids),
        deal_id: id_text(activity.deal_id),
        owner_id: id_text(activity.owner_id),
        owner_name: None,
        owner_email: None,
        tags: None,
        source: None,
        custom_fields: stored_extras(activity),
        created_at: timestamp(activity.add_time.as_deref()),
        updated_at: timestamp(activity.update_time.as_deref()),
    }
}

/// The extras the activity has set (whoever set them), as stored.
fn stored_extras(activity: &Activity) -> Option<CustomFields> {
    let extras = [
        ("note", activity.note.clone().map(Value::String)),
        ("busy", activity.busy.map(Value::Bool)),
        ("done", activity.done.map(Value::Bool)),
        ("priority", activity.priority.map(Value::from)),
        ("type", activity.kind.clone().map(Value::String)),
        ("lead_id", activity.lead_id.clone().map(Value::String)),
        ("org_id", activity.org_id.map(Value::from)),
    ];
    let custom: CustomFields = extras.into_iter().filter_map(|(name, value)| Some((name.to_owned(), value?))).collect();
    (!custom.is_empty()).then_some(custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(json: &str) -> MeetingInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn start_and_duration_in_utc() {
        let input = input(
            r#"{"title":"Discovery call","startTime":"2026-06-02T13:00:00+09:00","endTime":"2026-06-02T13:45:30+09:00",
                "description":"Agenda","location":"Kumo HQ","contactIds":["5821","5822"],"dealId":"9812","ownerId":"13374021",
                "attendees":[{"email":"aiko@kumo.jp","name":"Aiko Tanaka"}],"customFields":{"busy":true,"note":"<b>prep</b>"}}"#,
        );
        let body = serde_json::to_value(create_request(&input, &Settings::new()).unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"subject": "Discovery call", "type": "meeting", "owner_id": 13374021, "deal_id": 9812,
                "due_date": "2026-06-02", "due_time": "04:00", "duration": "00:45", "busy": true,
                "location": {"value": "Kumo HQ"},
                "participants": [{"person_id": 5821, "primary": true}, {"person_id": 5822, "primary": false}],
                "attendees": [{"email": "aiko@kumo.jp", "name": "Aiko Tanaka"}], "public_description": "Agenda",
                "note": "<b>prep</b>"})
        );
    }

    #[test]
    fn durations() {
        assert_eq!(duration(45), "00:45");
        assert_eq!(duration(48 * 60 + 5), "48:05");
        assert_eq!(duration_minutes("01:30"), Some(90));
        assert_eq!(duration_minutes("48:05"), Some(2885));
        assert_eq!(duration_minutes("1:5x"), None);
    }

    #[test]
    fn unknown_extras_and_a_zero_duration_are_refused() {
        let input = input(
            r#"{"title":"T","startTime":"2026-06-02T13:00:10Z","endTime":"2026-06-02T13:00:50Z","customFields":{"Agenda":"x","busy":"yes"}}"#,
        );
        let problems = create_request(&input, &Settings::new()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["endTime", "customFields.Agenda", "customFields.busy"]);
    }

    #[test]
    fn reads_an_activity_back() {
        let activity: Activity = serde_json::from_value(json!({"id": 1042, "subject": "Call", "type": "meeting",
            "owner_id": 13374021, "due_date": "2026-06-02", "due_time": "04:00", "duration": "00:45",
            "participants": [{"person_id": 5821, "primary": true}], "location": {"value": "HQ"},
            "add_time": "2026-05-14T09:50:00Z", "update_time": "2026-05-14T09:50:00Z", "busy": true}))
        .unwrap();
        let meeting = to_meeting(&activity);
        assert_eq!(meeting.start_time.unwrap().to_string(), "2026-06-02T04:00:00.000Z");
        assert_eq!(meeting.end_time.unwrap().to_string(), "2026-06-02T04:45:00.000Z");
        assert_eq!(meeting.contact_ids.unwrap(), ["5821"]);
        assert_eq!(meeting.attendees, None, "not asked for: not known");
        assert_eq!(Value::Object(meeting.custom_fields.unwrap()), json!({"busy": true, "type": "meeting"}));

        let read: Activity = serde_json::from_value(json!({"id": 1042, "due_date": "2026-06-02",
            "due_time": "04:00:00", "duration": "00:45:00", "done": false, "note": null,
            "attendees": [{"email": "aiko@kumo.jp", "name": "Aiko Tanaka", "status": "accepted", "person_id": 5821}]}))
        .unwrap();
        let meeting = to_meeting(&read);
        assert_eq!(meeting.end_time.unwrap().to_string(), "2026-06-02T04:45:00.000Z", "seconds too");
        assert_eq!(meeting.attendees.unwrap()[0].name.as_deref(), Some("Aiko Tanaka"));
        assert_eq!(Value::Object(meeting.custom_fields.unwrap()), json!({"done": false}));
    }
}
