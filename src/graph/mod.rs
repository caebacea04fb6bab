//! The dependency graph of resource instances (petgraph), with deterministic ordering and
//! cycle diagnostics.
//!
//! Nodes are the instances of a [`Config`]; an edge `a → b` means `b` depends on `a` (an
//! expression of `b` refers to `a`, directly or through local values, or `b` lists `a` in
//! `depends_on`), so creates and updates run along the edges and deletes against them.
//! A dependency on a resource is a dependency on every one of its instances, as in Terraform.
//! Inside, such a dependency goes through one node per resource (every instance → the resource
//! node → each dependent), as Terraform's graph goes through a resource's expansion node: a
//! resource of N instances that M instances depend on costs N + M edges, not N × M. Every
//! method answers in instances, as if each instance edge were there.
//!
//! Invariants: [`DependencyGraph::order`] is a topological order whose ties are broken by
//! address, so it is the same on every run; a cycle is reported as `scw::graph::cycle`
//! naming every member (petgraph's `tarjan_scc`), never as a partial order.
//!
//! Depends on `model` (the evaluated configuration) and `diag`.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};
use std::fmt::Write as _;

use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
// Addresses are hashed once or twice per instance and per dependency; SipHash's resistance to
// crafted keys buys nothing for a configuration's own names.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::addr::{InstanceAddr, ResourceAddr};
use crate::diag::{Diagnostics, Span};
use crate::model::config::{Config, DependencyKind};
use crate::model::order::{CycleEdge, cycle_diagnostic};

/// What an edge stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Where the dependency is written (in the dependent's block).
    pub span: Span,
    /// How it arises.
    pub kind: DependencyKind,
}

/// A node: an instance, or the resource whose instances something depends on.
#[derive(Debug)]
enum Node {
    Instance(InstanceAddr),
    /// A resource: reached from each of its instances; leads to each instance depending on it.
    Resource,
}

/// Resource instances and their dependencies.
#[derive(Debug, Default)]
pub struct DependencyGraph {
    /// Edges into a resource node carry no [`Edge`] (an instance belongs to its resource);
    /// edges out of one carry the dependency they stand for.
    graph: StableDiGraph<Node, Option<Edge>>,
    nodes: HashMap<InstanceAddr, NodeIndex>,
    /// Each resource node's instances, in address order.
    members: HashMap<NodeIndex, Vec<NodeIndex>>,
    instances: usize,
}

impl DependencyGraph {
    /// Builds the graph of a configuration's instances.
    #[must_use]
    pub fn new(config: &Config) -> Self {
        let mut graph = StableDiGraph::with_capacity(config.instances.len(), 0);
        let mut nodes =
            HashMap::with_capacity_and_hasher(config.instances.len(), rustc_hash::FxBuildHasher);
        let mut by_resource: HashMap<&ResourceAddr, Vec<NodeIndex>> = HashMap::default();
        for addr in config.instances.keys() {
            let n = graph.add_node(Node::Instance(addr.clone()));
            nodes.insert(addr.clone(), n);
            by_resource.entry(&addr.resource).or_default().push(n);
        }
        let mut resource_nodes: HashMap<&ResourceAddr, NodeIndex> = HashMap::default();
        let mut members = HashMap::default();
        // Deduplicated through a set: `find_edge` scans a node's edges, which is quadratic for
        // a resource that thousands of others depend on.
        let mut edges: HashSet<(NodeIndex, NodeIndex)> = HashSet::default();
        for (addr, instance) in &config.instances {
            let dependent = nodes[addr];
            for dep in &instance.dependencies {
                let Some(instances) = by_resource.get(&dep.resource) else {
                    continue;
                };
                let resource = *resource_nodes.entry(&dep.resource).or_insert_with(|| {
                    let r = graph.add_node(Node::Resource);
                    for &i in instances {
                        graph.add_edge(i, r, None);
                    }
                    members.insert(r, instances.clone());
                    r
                });
                if edges.insert((resource, dependent)) {
                    graph.add_edge(
                        resource,
                        dependent,
                        Some(Edge {
                            span: dep.span,
                            kind: dep.kind.clone(),
                        }),
                    );
                }
            }
        }
        Self {
            graph,
            nodes,
            members,
            instances: config.instances.len(),
        }
    }

    /// Number of instances.
    #[must_use]
    pub fn len(&self) -> usize {
        self.instances
    }

    /// Whether there is no instance.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.instances == 0
    }

    /// Number of dependency edges between instances.
    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.members
            .iter()
            .map(|(r, instances)| {
                instances.len()
                    * self
                        .graph
                        .neighbors_directed(*r, Direction::Outgoing)
                        .count()
            })
            .sum()
    }

    fn addr(&self, n: NodeIndex) -> Option<&InstanceAddr> {
        match &self.graph[n] {
            Node::Instance(addr) => Some(addr),
            Node::Resource => None,
        }
    }

    /// The instances `addr` depends on, sorted.
    #[must_use]
    pub fn dependencies(&self, addr: &InstanceAddr) -> Vec<&InstanceAddr> {
        let Some(&n) = self.nodes.get(addr) else {
            return Vec::new();
        };
        let mut out: Vec<&InstanceAddr> = self
            .graph
            .neighbors_directed(n, Direction::Incoming)
            .flat_map(|r| self.members.get(&r).map_or(&[][..], Vec::as_slice))
            .filter_map(|&m| self.addr(m))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The instances that depend on `addr`, sorted.
    #[must_use]
    pub fn dependents(&self, addr: &InstanceAddr) -> Vec<&InstanceAddr> {
        let Some(&n) = self.nodes.get(addr) else {
            return Vec::new();
        };
        let mut out: Vec<&InstanceAddr> = self
            .graph
            .neighbors_directed(n, Direction::Outgoing)
            .flat_map(|r| self.graph.neighbors_directed(r, Direction::Outgoing))
            .filter_map(|m| self.addr(m))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Every instance, dependencies before dependents, ties broken by address.
    ///
    /// # Errors
    /// One `scw::graph::cycle` diagnostic per cycle.
    pub fn order(&self) -> Result<Vec<&InstanceAddr>, Diagnostics> {
        let mut indegree: HashMap<NodeIndex, usize> = self
            .graph
            .node_indices()
            .map(|n| {
                (
                    n,
                    self.graph
                        .neighbors_directed(n, Direction::Incoming)
                        .count(),
                )
            })
            .collect();
        let mut ready: BinaryHeap<Reverse<(&InstanceAddr, NodeIndex)>> = BinaryHeap::new();
        // A resource node is passed as soon as its last instance is: it stands for edges.
        let mut passed: Vec<NodeIndex> = Vec::new();
        for (&n, &d) in &indegree {
            if d == 0 {
                match self.addr(n) {
                    Some(addr) => ready.push(Reverse((addr, n))),
                    None => passed.push(n),
                }
            }
        }
        let mut order = Vec::with_capacity(self.instances);
        loop {
            let n = if let Some(n) = passed.pop() {
                n
            } else if let Some(Reverse((addr, n))) = ready.pop() {
                order.push(addr);
                n
            } else {
                break;
            };
            for m in self.graph.neighbors(n) {
                let d = indegree
                    .get_mut(&m)
                    .expect("every node has an in-degree entry");
                *d -= 1;
                if *d == 0 {
                    match self.addr(m) {
                        Some(addr) => ready.push(Reverse((addr, m))),
                        None => passed.push(m),
                    }
                }
            }
        }
        if order.len() == self.instances {
            Ok(order)
        } else {
            Err(self.cycles())
        }
    }

    /// The order for deletes: dependents before what they depend on.
    ///
    /// # Errors
    /// As [`Self::order`].
    pub fn reverse_order(&self) -> Result<Vec<&InstanceAddr>, Diagnostics> {
        let mut order = self.order()?;
        order.reverse();
        Ok(order)
    }

    /// One diagnostic per cycle (empty when the graph is acyclic).
    #[must_use]
    pub fn cycles(&self) -> Diagnostics {
        let mut out = Diagnostics::new();
        for scc in petgraph::algo::tarjan_scc(&self.graph) {
            // Only an edge between two nodes can close a loop (an instance depending on its
            // own resource goes through the resource node), so a loop has two nodes or more.
            if scc.len() < 2 {
                continue;
            }
            let inside: HashSet<NodeIndex> = scc.iter().copied().collect();
            let members: BTreeSet<(&InstanceAddr, NodeIndex)> = scc
                .iter()
                .filter_map(|&n| self.addr(n).map(|a| (a, n)))
                .collect();
            let mut edges = Vec::new();
            for &(addr, dependent) in &members {
                let mut incoming: Vec<CycleEdge> = Vec::new();
                for e in self.graph.edges_directed(dependent, Direction::Incoming) {
                    let (Some(edge), true) = (e.weight(), inside.contains(&e.source())) else {
                        continue;
                    };
                    for &m in self.members.get(&e.source()).map_or(&[][..], Vec::as_slice) {
                        if let (true, Some(to)) = (inside.contains(&m), self.addr(m)) {
                            incoming.push(CycleEdge {
                                from: addr.to_string(),
                                to: to.to_string(),
                                span: edge.span,
                            });
                        }
                    }
                }
                incoming.sort_by(|a, b| a.to.cmp(&b.to));
                edges.extend(incoming);
            }
            let names: Vec<String> = members.iter().map(|(a, _)| a.to_string()).collect();
            out.push(cycle_diagnostic(&names, &edges));
        }
        out.sort();
        out
    }

    /// Sorted edges between instances as (dependent, dependency) pairs.
    fn sorted_edges(&self) -> Vec<(&InstanceAddr, &InstanceAddr)> {
        let mut edges = Vec::new();
        for (&resource, instances) in &self.members {
            for dependent in self.graph.neighbors_directed(resource, Direction::Outgoing) {
                let Some(dependent) = self.addr(dependent) else {
                    continue;
                };
                edges.extend(
                    instances
                        .iter()
                        .filter_map(|&i| self.addr(i))
                        .map(|dependency| (dependent, dependency)),
                );
            }
        }
        edges.sort();
        edges.dedup();
        edges
    }

    fn sorted_nodes(&self) -> Vec<&InstanceAddr> {
        let mut nodes: Vec<_> = self.nodes.keys().collect();
        nodes.sort();
        nodes
    }

    /// Graphviz DOT: one node per instance, an edge from each dependent to what it depends on.
    #[must_use]
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph {\n  rankdir = \"RL\";\n  node [shape = \"box\"];\n");
        for addr in self.sorted_nodes() {
            let _ = writeln!(out, "  {};", dot_id(addr));
        }
        for (dependent, dependency) in self.sorted_edges() {
            let _ = writeln!(out, "  {} -> {};", dot_id(dependent), dot_id(dependency));
        }
        out.push_str("}\n");
        out
    }

    /// A Mermaid flowchart: one node per instance, an arrow from each dependent to what it
    /// depends on.
    #[must_use]
    pub fn to_mermaid(&self) -> String {
        let nodes = self.sorted_nodes();
        let ids: HashMap<&InstanceAddr, usize> =
            nodes.iter().enumerate().map(|(i, a)| (*a, i)).collect();
        let mut out = String::from("flowchart RL\n");
        for (i, addr) in nodes.iter().enumerate() {
            let label = addr.to_string().replace('"', "#quot;");
            let _ = writeln!(out, "  n{i}[\"{label}\"]");
        }
        for (dependent, dependency) in self.sorted_edges() {
            let _ = writeln!(out, "  n{} --> n{}", ids[dependent], ids[dependency]);
        }
        out
    }
}

fn dot_id(addr: &InstanceAddr) -> String {
    let text = addr.to_string();
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::addr::InstanceKey;
    use crate::diag::FileId;
    use crate::model::config::{Dependency, ResourceInstance};

    fn instance(addr: &str, deps: &[&str]) -> (InstanceAddr, ResourceInstance) {
        let addr: InstanceAddr = addr.parse().expect("valid address");
        let schema = crate::schema::resource(&addr.resource.type_name).expect("known type");
        let inst = ResourceInstance {
            addr: addr.clone(),
            schema,
            attributes: BTreeMap::new(),
            blocks: BTreeMap::new(),
            configured: BTreeMap::new(),
            lifecycle: crate::model::lower::Lifecycle::default(),
            timeouts: schema.timeouts,
            dependencies: deps
                .iter()
                .enumerate()
                .map(|(i, d)| Dependency {
                    resource: d.parse().expect("valid address"),
                    span: Span::new(FileId(0), i, i + 1),
                    kind: DependencyKind::Reference,
                })
                .collect(),
            references: Arc::from(Vec::new()),
            check: None,
            provider: None,
            postconditions: false,
            span: Span::default(),
            expressions: Arc::default(),
        };
        (addr, inst)
    }

    fn config(items: &[(&str, &[&str])]) -> Config {
        let mut config = Config::default();
        for (addr, deps) in items {
            let (a, i) = instance(addr, deps);
            config.instances.insert(a, i);
        }
        config.instances.sort_keys();
        config
    }

    #[test]
    fn order_is_topological_with_address_ties() {
        let c = config(&[
            ("scaleway_container_token.t", &["scaleway_container.c"]),
            ("scaleway_container.c", &["scaleway_container_namespace.ns"]),
            (
                "scaleway_container_namespace.ns",
                &["scaleway_account_project.p"],
            ),
            ("scaleway_account_project.p", &[]),
            ("scaleway_account_project.a", &[]),
        ]);
        let g = DependencyGraph::new(&c);
        let order: Vec<String> = g
            .order()
            .expect("acyclic")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            order,
            [
                "scaleway_account_project.a",
                "scaleway_account_project.p",
                "scaleway_container_namespace.ns",
                "scaleway_container.c",
                "scaleway_container_token.t"
            ]
        );
        let reverse: Vec<String> = g
            .reverse_order()
            .expect("acyclic")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            reverse.first().map(String::as_str),
            Some("scaleway_container_token.t")
        );
    }

    #[test]
    fn a_dependency_on_a_resource_reaches_every_instance() {
        let mut c = config(&[(
            "scaleway_container_namespace.ns",
            &["scaleway_account_project.p"],
        )]);
        for i in 0..3 {
            let (a, inst) = instance("scaleway_account_project.p", &[]);
            let a = a.with_key(InstanceKey::Int(i));
            c.instances
                .insert(a.clone(), ResourceInstance { addr: a, ..inst });
        }
        c.instances.sort_keys();
        let g = DependencyGraph::new(&c);
        assert_eq!(g.edge_count(), 3);
        let ns: InstanceAddr = "scaleway_container_namespace.ns".parse().expect("valid");
        assert_eq!(g.dependencies(&ns).len(), 3);
    }

    #[test]
    fn cycles_are_reported_with_every_member() {
        let c = config(&[
            (
                "scaleway_account_project.a",
                &["scaleway_account_project.b"],
            ),
            (
                "scaleway_account_project.b",
                &["scaleway_account_project.a"],
            ),
            ("scaleway_account_project.c", &[]),
        ]);
        let g = DependencyGraph::new(&c);
        let diags = g.order().expect_err("cyclic");
        assert_eq!(diags.0.len(), 1);
        assert_eq!(
            diags.0[0].summary,
            "Cycle: scaleway_account_project.a, scaleway_account_project.b"
        );
        assert_eq!(diags.0[0].code, "scw::graph::cycle");
        assert_eq!(diags.0[0].labels.len(), 2);
    }

    #[test]
    fn a_resource_node_stands_for_every_instance_edge() {
        // 300 tokens depending on 200 containers: 60,000 instance edges, 500 graph edges.
        let mut c = Config::default();
        for i in 0..200 {
            let (a, inst) = instance("scaleway_container.c", &[]);
            let a = a.with_key(InstanceKey::Int(i));
            c.instances
                .insert(a.clone(), ResourceInstance { addr: a, ..inst });
        }
        for i in 0..300 {
            let (a, inst) = instance("scaleway_container_token.t", &["scaleway_container.c"]);
            let a = a.with_key(InstanceKey::Int(i));
            c.instances
                .insert(a.clone(), ResourceInstance { addr: a, ..inst });
        }
        c.instances.sort_keys();
        let g = DependencyGraph::new(&c);
        assert_eq!(g.len(), 500);
        assert_eq!(g.edge_count(), 60_000);
        assert_eq!(
            g.graph.edge_count(),
            500,
            "200 into the resource node, 300 out"
        );
        let order = g.order().expect("acyclic");
        assert_eq!(order.len(), 500);
        assert!(
            order[..200]
                .iter()
                .all(|a| a.resource.type_name == "scaleway_container")
        );
        let t7: InstanceAddr = "scaleway_container_token.t[7]".parse().expect("valid");
        assert_eq!(g.dependencies(&t7).len(), 200);
        let c0: InstanceAddr = "scaleway_container.c[0]".parse().expect("valid");
        assert_eq!(g.dependents(&c0).len(), 300);
        assert_eq!(g.sorted_edges().len(), 60_000);
    }

    #[test]
    fn an_instance_depending_on_its_own_resource_is_a_cycle_of_one() {
        let c = config(&[
            (
                "scaleway_account_project.a",
                &["scaleway_account_project.a"],
            ),
            ("scaleway_account_project.b", &[]),
        ]);
        let g = DependencyGraph::new(&c);
        let diags = g.order().expect_err("cyclic");
        assert_eq!(diags.0.len(), 1);
        assert_eq!(diags.0[0].summary, "Cycle: scaleway_account_project.a");
        assert_eq!(diags.0[0].labels.len(), 1);
        assert!(
            diags.0[0]
                .detail
                .as_deref()
                .is_some_and(|d| d.contains("refers to itself"))
        );
    }

    #[test]
    fn dot_and_mermaid_are_deterministic() {
        let c = config(&[
            (
                "scaleway_container_namespace.ns",
                &["scaleway_account_project.p"],
            ),
            ("scaleway_account_project.p", &[]),
        ]);
        let g = DependencyGraph::new(&c);
        assert_eq!(
            g.to_dot(),
            "digraph {\n  rankdir = \"RL\";\n  node [shape = \"box\"];\n  \"scaleway_account_project.p\";\n  \"scaleway_container_namespace.ns\";\n  \"scaleway_container_namespace.ns\" -> \"scaleway_account_project.p\";\n}\n"
        );
        assert_eq!(
            g.to_mermaid(),
            "flowchart RL\n  n0[\"scaleway_account_project.p\"]\n  n1[\"scaleway_container_namespace.ns\"]\n  n1 --> n0\n"
        );
    }
}
