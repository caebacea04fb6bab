//! Evaluation order of a configuration's blocks, and the cycle diagnostic.
//!
//! Variables, locals, resources and outputs form a block-level graph (edges from references
//! and `depends_on`). [`BlockGraph::order`] gives a topological order in which every block
//! comes after what it reads, ties broken by declaration order so evaluation is deterministic;
//! strongly connected components (petgraph's `tarjan_scc`) that contain a loop become one
//! `scw::graph::cycle` diagnostic each, naming every member and labelling every reference of
//! the loop.
//!
//! Depends on `diag` and petgraph only.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::diag::{Diagnostic, Span};

/// One edge of a cycle, for the diagnostic: `from` refers to `to` at `span`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleEdge {
    /// The referring member.
    pub from: String,
    /// The member referred to.
    pub to: String,
    /// Where the reference is written.
    pub span: Span,
}

/// The `scw::graph::cycle` diagnostic for one cycle.
///
/// `members` are the names of the blocks or instances in the cycle (sorted by the caller);
/// every edge gets a label, the first one primary.
#[must_use]
pub fn cycle_diagnostic(members: &[String], edges: &[CycleEdge]) -> Diagnostic {
    let mut d = Diagnostic::error("scw::graph::cycle", format!("Cycle: {}", members.join(", ")))
        .with_detail(if members.len() == 1 {
            format!("{} refers to itself, so it can never be evaluated.", members[0])
        } else {
            "These blocks refer to each other in a loop, so none of them can be evaluated first. Break the loop by removing one of the references.".to_owned()
        });
    for (i, e) in edges.iter().enumerate() {
        let message = if e.from == e.to {
            format!("{} refers to itself here", e.from)
        } else {
            format!("{} refers to {} here", e.from, e.to)
        };
        d = if i == 0 {
            d.with_primary(e.span, message)
        } else {
            d.with_label(e.span, message)
        };
    }
    d
}

/// A directed graph of blocks: an edge `a → b` means `b` reads `a` (so `a` comes first).
#[derive(Debug, Default)]
pub struct BlockGraph {
    graph: DiGraph<String, Span>,
    /// Edges already added, so that repeated references cost O(1) (a variable read by
    /// thousands of blocks would make `find_edge` quadratic).
    edges: rustc_hash::FxHashSet<(NodeIndex, NodeIndex)>,
}

impl BlockGraph {
    /// An empty graph.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a node; indices are issued in order, and ties in [`Self::order`] follow them.
    pub fn add(&mut self, name: String) -> NodeIndex {
        self.graph.add_node(name)
    }

    /// Records that `dependent` reads `dependency`, written at `span`. Repeated edges are kept once.
    pub fn depends(&mut self, dependent: NodeIndex, dependency: NodeIndex, span: Span) {
        if self.edges.insert((dependency, dependent)) {
            self.graph.add_edge(dependency, dependent, span);
        }
    }

    /// Number of nodes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Whether the graph has no node.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// A topological order (dependencies first, ties by insertion order), or one diagnostic
    /// per cycle. Nodes in or after a cycle are left out of the order.
    #[must_use]
    pub fn order(&self) -> (Vec<NodeIndex>, Vec<Diagnostic>) {
        let mut indegree: Vec<usize> = self
            .graph
            .node_indices()
            .map(|n| {
                self.graph
                    .neighbors_directed(n, petgraph::Direction::Incoming)
                    .count()
            })
            .collect();
        let mut ready: BinaryHeap<Reverse<NodeIndex>> = self
            .graph
            .node_indices()
            .filter(|n| indegree[n.index()] == 0)
            .map(Reverse)
            .collect();
        let mut order = Vec::with_capacity(self.graph.node_count());
        while let Some(Reverse(n)) = ready.pop() {
            order.push(n);
            for m in self.graph.neighbors(n) {
                indegree[m.index()] -= 1;
                if indegree[m.index()] == 0 {
                    ready.push(Reverse(m));
                }
            }
        }
        let mut diags = Vec::new();
        if order.len() < self.graph.node_count() {
            diags = self.cycles();
        }
        (order, diags)
    }

    fn cycles(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for scc in petgraph::algo::tarjan_scc(&self.graph) {
            let looped = scc.len() > 1 || self.graph.find_edge(scc[0], scc[0]).is_some();
            if !looped {
                continue;
            }
            let mut members: Vec<NodeIndex> = scc.clone();
            members.sort_by(|a, b| self.graph[*a].cmp(&self.graph[*b]));
            let mut edges = Vec::new();
            for &dependent in &members {
                // Edges point from the dependency block to its dependent; label each at the dependent's side.
                let mut incoming: Vec<_> = self
                    .graph
                    .edges_directed(dependent, petgraph::Direction::Incoming)
                    .filter(|e| scc.contains(&petgraph::visit::EdgeRef::source(e)))
                    .map(|e| CycleEdge {
                        from: self.graph[dependent].clone(),
                        to: self.graph[petgraph::visit::EdgeRef::source(&e)].clone(),
                        span: *e.weight(),
                    })
                    .collect();
                incoming.sort_by(|a, b| a.to.cmp(&b.to));
                edges.extend(incoming);
            }
            let names: Vec<String> = members.iter().map(|n| self.graph[*n].clone()).collect();
            out.push(cycle_diagnostic(&names, &edges));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    fn span(n: usize) -> Span {
        Span::new(FileId(0), n, n + 1)
    }

    #[test]
    fn order_puts_dependencies_first_with_stable_ties() {
        let mut g = BlockGraph::new();
        let a = g.add("a".into());
        let b = g.add("b".into());
        let c = g.add("c".into());
        g.depends(a, c, span(0));
        g.depends(b, c, span(1));
        let (order, diags) = g.order();
        assert!(diags.is_empty());
        assert_eq!(order, [c, a, b]);
    }

    #[test]
    fn cycles_name_members_and_label_references() {
        let mut g = BlockGraph::new();
        let a = g.add("local.a".into());
        let b = g.add("local.b".into());
        let c = g.add("local.c".into());
        g.depends(a, b, span(10));
        g.depends(b, a, span(20));
        g.depends(c, c, span(30));
        let (order, diags) = g.order();
        assert!(order.is_empty());
        assert_eq!(diags.len(), 2);
        let summaries: Vec<_> = diags.iter().map(|d| d.summary.as_str()).collect();
        assert!(summaries.contains(&"Cycle: local.a, local.b"));
        assert!(summaries.contains(&"Cycle: local.c"));
        let ab = diags
            .iter()
            .find(|d| d.summary == "Cycle: local.a, local.b")
            .expect("found");
        assert_eq!(ab.labels.len(), 2);
        assert_eq!(ab.labels[0].message, "local.a refers to local.b here");
        assert_eq!(ab.labels[0].span, span(10));
    }
}
