//! Labels: Pipedrive's tags. Persons and deals carry `label_ids` (integer options of their `label_ids`
//! field), leads carry lead labels (UUIDs from `GET /api/v1/leadLabels`). A unified tag is the label of
//! that name; a lead's status is the lead label the connection setting `leadStatusLabels` maps it to
//! (`qualified=Hot;unqualified=Cold`, names or ids), since Pipedrive has no lead status of its own.

use unified_core::resource::{LeadStatus, Text};

use super::normalize;
use crate::wire::LeadLabel;

/// Tags → label ids, in tag order, each once; the tags no label is named after, by index.
pub fn tag_ids<Id: Clone + PartialEq>(tags: &[Text], labels: &[(Id, String)]) -> (Vec<Id>, Vec<usize>) {
    let mut ids: Vec<Id> = Vec::new();
    let mut unknown = Vec::new();
    for (i, tag) in tags.iter().enumerate() {
        let found = labels
            .iter()
            .find(|(_, name)| name == tag.as_str())
            .or_else(|| labels.iter().find(|(_, name)| normalize(name) == normalize(tag)));
        match found {
            Some((id, _)) if !ids.contains(id) => ids.push(id.clone()),
            Some(_) => {}
            None => unknown.push(i),
        }
    }
    (ids, unknown)
}

/// Label ids → their names (ids in `except`, such as a lead's status label, left out).
pub fn tag_names<Id: PartialEq>(ids: &[Id], labels: &[(Id, String)], except: &[Id]) -> Option<Vec<Text>> {
    let names: Vec<Text> = ids
        .iter()
        .filter(|id| !except.contains(id))
        .filter_map(|id| labels.iter().find(|(l, _)| l == id).map(|(_, name)| Text::from(name.as_str())))
        .collect();
    (!names.is_empty()).then_some(names)
}

/// Lead labels as `(id, name)` pairs.
pub fn lead_label_pairs(labels: &[LeadLabel]) -> Vec<(String, String)> {
    labels.iter().map(|l| (l.id.clone(), l.name.clone())).collect()
}

/// `qualified=Hot;unqualified=Cold` (`,` also separates) → `[(Qualified, "Hot"), (Unqualified, "Cold")]`.
pub fn parse_status_setting(text: &str) -> Result<Vec<(LeadStatus, String)>, String> {
    text.split([';', ','])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (status, label) = entry
                .split_once('=')
                .ok_or_else(|| format!("`{entry}` is not `status=label` (e.g. `qualified=Hot`)"))?;
            let status = LeadStatus::ALL.into_iter().find(|s| s.as_str() == status.trim()).ok_or_else(|| {
                format!("`{}` is not a lead status (new, open, in_progress, qualified, unqualified)", status.trim())
            })?;
            Ok((status, label.trim().to_owned()))
        })
        .collect()
}

/// The lead label a status maps to (`Ok(None)`: the setting does not map this status).
pub fn status_label(
    mapping: &[(LeadStatus, String)],
    status: LeadStatus,
    labels: &[LeadLabel],
) -> Result<Option<String>, String> {
    let Some((_, wanted)) = mapping.iter().find(|(s, _)| *s == status) else { return Ok(None) };
    find_label(labels, wanted).map(|l| Some(l.id.clone())).ok_or_else(|| {
        let names: Vec<&str> = labels.iter().map(|l| l.name.as_str()).collect();
        format!("no Pipedrive lead label is named `{wanted}` (labels: {})", names.join(", "))
    })
}

fn find_label<'a>(labels: &'a [LeadLabel], wanted: &str) -> Option<&'a LeadLabel> {
    labels
        .iter()
        .find(|l| l.id == wanted || l.name == wanted)
        .or_else(|| labels.iter().find(|l| normalize(&l.name) == normalize(wanted)))
}

/// The status a lead's labels stand for: the first status of the setting whose label is there (two
/// statuses mapped to one label read back as the first).
pub fn status_from_labels(
    mapping: &[(LeadStatus, String)],
    label_ids: &[String],
    labels: &[LeadLabel],
) -> Option<LeadStatus> {
    let present = |status: LeadStatus| {
        mapping
            .iter()
            .filter(|(s, _)| *s == status)
            .filter_map(|(_, wanted)| find_label(labels, wanted))
            .any(|label| label_ids.contains(&label.id))
    };
    mapping.iter().map(|(s, _)| *s).find(|s| present(*s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<LeadLabel> {
        [("f2d0a1b4-3c5e-4f6a-8b7c-9d0e1f2a3b4c", "Hot"), ("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "Warm")]
            .map(|(id, name)| LeadLabel { id: id.into(), name: name.into() })
            .to_vec()
    }

    #[test]
    fn tags_match_label_names() {
        let options = vec![(5u64, "Customer".to_owned()), (6, "Hot lead".to_owned())];
        let tags: Vec<Text> = vec!["hot-lead".into(), "Customer".into(), "vip".into(), "Hot lead".into()];
        let (ids, unknown) = tag_ids(&tags, &options);
        assert_eq!((ids.as_slice(), unknown.as_slice()), ([6, 5].as_slice(), [2].as_slice()));
        assert_eq!(tag_names(&[5, 6, 9], &options, &[6]).unwrap(), ["Customer"]);
        assert_eq!(tag_names(&[6], &options, &[6]), None);
    }

    #[test]
    fn status_setting_maps_statuses_to_labels() {
        let mapping = parse_status_setting("qualified=Hot; in_progress = warm,open=Warm").unwrap();
        assert_eq!(mapping.len(), 3);
        let labels = labels();
        assert_eq!(
            status_label(&mapping, LeadStatus::Qualified, &labels).unwrap().as_deref(),
            Some(labels[0].id.as_str())
        );
        assert_eq!(status_label(&mapping, LeadStatus::New, &labels).unwrap(), None);
        let warm = vec![labels[1].id.clone()];
        assert_eq!(status_from_labels(&mapping, &warm, &labels), Some(LeadStatus::InProgress), "the first of two");
        assert_eq!(status_from_labels(&mapping, &[], &labels), None);

        let broken = parse_status_setting("qualified=Gold").unwrap();
        assert!(status_label(&broken, LeadStatus::Qualified, &labels).unwrap_err().contains("labels: Hot, Warm"));
        assert!(parse_status_setting("won=Hot").unwrap_err().contains("not a lead status"));
        assert!(parse_status_setting("Hot").is_err());
    }
}
