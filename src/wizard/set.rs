//! A loaded, validated set of flows and the links between their pages.

use std::path::PathBuf;

use super::schema::{Flow, Page, Step, Via};

/// A flow with the file it came from. Its name is the file's stem.
#[derive(Clone, Debug)]
pub struct NamedFlow {
    pub name: String,
    pub file: PathBuf,
    pub flow: Flow,
}

/// A page of a `WizardSet`. Only the set hands these out, so they always point at a
/// page of that set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageRef {
    flow: usize,
    page: usize,
}

/// Every flow of the wizard. Built only by the loader, which has checked that every
/// target resolves, so page look-ups by `PageRef` cannot fail.
#[derive(Clone, Debug)]
pub struct WizardSet {
    flows: Vec<NamedFlow>,
}

/// A target that names no page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unresolved {
    Flow(String),
    Page(String),
}

impl WizardSet {
    /// Wraps flows without checking them; the loader checks before handing one out.
    pub(super) fn new_unchecked(flows: Vec<NamedFlow>) -> Self {
        WizardSet { flows }
    }

    pub fn flows(&self) -> &[NamedFlow] {
        &self.flows
    }

    pub fn flow(&self, name: &str) -> Option<&NamedFlow> {
        self.flows.iter().find(|f| f.name == name)
    }

    /// The first page of the named flow.
    pub fn start(&self, flow: &str) -> Option<PageRef> {
        let flow = self.flows.iter().position(|f| f.name == flow)?;
        (!self.flows[flow].flow.pages.is_empty()).then_some(PageRef { flow, page: 0 })
    }

    pub fn page(&self, at: PageRef) -> &Page {
        &self.flows[at.flow].flow.pages[at.page]
    }

    pub fn flow_of(&self, at: PageRef) -> &NamedFlow {
        &self.flows[at.flow]
    }

    /// `flow/page`, the name used in scripts, output and tests.
    pub fn name(&self, at: PageRef) -> String {
        format!("{}/{}", self.flows[at.flow].name, self.page(at).id)
    }

    /// The page called `flow/page`.
    pub fn find(&self, name: &str) -> Option<PageRef> {
        let (flow, page) = name.split_once('/')?;
        let flow = self.flows.iter().position(|f| f.name == flow)?;
        let page = self.flows[flow]
            .flow
            .pages
            .iter()
            .position(|p| p.id == page)?;
        Some(PageRef { flow, page })
    }

    /// Resolves a target written in `from`'s flow: `page` or `flow/page`.
    pub fn resolve(&self, from: PageRef, target: &str) -> Result<PageRef, Unresolved> {
        self.resolve_in(from.flow, target)
    }

    pub(super) fn resolve_in(&self, flow: usize, target: &str) -> Result<PageRef, Unresolved> {
        let (flow, page) = match target.split_once('/') {
            Some((name, page)) => (
                self.flows
                    .iter()
                    .position(|f| f.name == name)
                    .ok_or_else(|| Unresolved::Flow(name.to_owned()))?,
                page,
            ),
            None => (flow, target),
        };
        let page = self.flows[flow]
            .flow
            .pages
            .iter()
            .position(|p| p.id == page)
            .ok_or_else(|| Unresolved::Page(target.to_owned()))?;
        Ok(PageRef { flow, page })
    }

    /// Every page, flow by flow, in file order.
    pub fn pages(&self) -> impl Iterator<Item = PageRef> + '_ {
        self.flows
            .iter()
            .enumerate()
            .flat_map(|(flow, f)| (0..f.flow.pages.len()).map(move |page| PageRef { flow, page }))
    }

    /// The exits of a page that resolve, with where they lead.
    pub fn exits(&self, at: PageRef) -> Vec<(Via, PageRef)> {
        self.page(at)
            .step
            .exits()
            .into_iter()
            .filter_map(|(via, target)| Some((via, self.resolve(at, target).ok()?)))
            .collect()
    }

    /// Every result page, the ends a walk can reach.
    pub fn results(&self) -> Vec<PageRef> {
        self.pages()
            .filter(|&at| matches!(self.page(at).step, Step::Result { .. }))
            .collect()
    }

    pub(super) fn flow_index(at: PageRef) -> usize {
        at.flow
    }
}
