//! Intervision grouping on one block of members: partition as many as
//! possible into valid groups maximising the sum of pairwise weights inside
//! groups. A greedy balanced start, then iterated local search (moves,
//! swaps, forming groups from the leftovers, random kicks), deterministic
//! for a seed and bounded by a count of evaluations, not by time. Small
//! components are then solved exactly from its result ([`exact`]).

use super::profile::LangSet;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub mod exact;

const POOL: usize = usize::MAX;

/// A dense view of one block: weights and the attributes group rules need.
pub struct Block {
    pub n: usize,
    /// `w[i * n + j]`; meaningful only where `ok`.
    pub w: Vec<i64>,
    /// Every pairwise hard constraint holds (the pair is a candidate edge).
    pub ok: Vec<bool>,
    /// The pair can meet in person within both travel limits.
    pub near: Vec<bool>,
    pub domain: Vec<u8>,
    pub junior: Vec<bool>,
    pub online: Vec<bool>,
    pub in_person: Vec<bool>,
    pub langs: Vec<LangSet>,
    pub min: usize,
    pub max: usize,
    /// Points the search adds per placed member on top of the groups'
    /// weights: 0 maximises the score alone; more than any score difference
    /// makes it place as many members as it can first (`prefer: coverage`).
    pub per_member: i64,
}

/// How a valid group meets: online when all allow it, else in person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupMode {
    Online,
    InPerson,
}

impl Block {
    fn w(&self, i: usize, j: usize) -> i64 {
        self.w[i * self.n + j]
    }

    fn ok(&self, i: usize, j: usize) -> bool {
        self.ok[i * self.n + j]
    }

    /// Group rules beyond pairwise compatibility: size, at least two
    /// domains, not juniors only, one language all share, one mode all can use.
    pub fn valid(&self, g: &[u32]) -> Option<GroupMode> {
        if g.len() < self.min || g.len() > self.max {
            return None;
        }
        let first = g[0] as usize;
        let mut langs = LangSet::all();
        let (mut two_domains, mut senior, mut all_online, mut all_in_person) =
            (false, false, true, true);
        for (x, &a) in g.iter().enumerate() {
            let a = a as usize;
            two_domains |= self.domain[a] != self.domain[first];
            senior |= !self.junior[a];
            all_online &= self.online[a];
            all_in_person &= self.in_person[a];
            langs = langs.intersect(self.langs[a]);
            for &b in &g[x + 1..] {
                if !self.ok(a, b as usize) {
                    return None;
                }
            }
        }
        if !two_domains || !senior || langs.is_empty() {
            return None;
        }
        if all_online {
            return Some(GroupMode::Online);
        }
        let near = all_in_person
            && g.iter().enumerate().all(|(x, &a)| {
                g[x + 1..]
                    .iter()
                    .all(|&b| self.near[a as usize * self.n + b as usize])
            });
        near.then_some(GroupMode::InPerson)
    }

    /// Would the group plus `c` still share a language and a meeting mode?
    /// Both only get harder as a group grows, so growth stops early.
    fn could_meet(&self, g: &[u32], c: usize) -> bool {
        let mut langs = self.langs[c];
        let (mut online, mut in_person) = (self.online[c], self.in_person[c]);
        for &x in g {
            let x = x as usize;
            langs = langs.intersect(self.langs[x]);
            online &= self.online[x];
            in_person &= self.in_person[x] && self.near[x * self.n + c];
        }
        !langs.is_empty() && (online || in_person)
    }

    /// Is there any valid group that includes `m`, among this block's
    /// members? Exact: every candidate group is tried until one is valid.
    ///
    /// Only groups of up to `max(min, 3)` members need trying: a valid group
    /// stays valid when members are dropped, as long as it keeps its size, a
    /// member of another domain than `m` and a senior (at most three people
    /// with `m`), since a shared language and a shared meeting mode survive
    /// dropping members. So the search fixes a member of another domain
    /// first and fills the remaining places from the members compatible with
    /// both.
    pub fn placeable(&self, m: usize) -> bool {
        let size = self.min.max(3).min(self.max);
        if size < self.min || size < 2 {
            return false;
        }
        let near: Vec<usize> = (0..self.n).filter(|&j| self.ok(m, j)).collect();
        if near.len() + 1 < self.min {
            return false;
        }
        let mut g: Vec<u32> = vec![m as u32];
        for &d in near.iter().filter(|&&d| self.domain[d] != self.domain[m]) {
            if !self.could_meet(&g, d) {
                continue;
            }
            g.push(d as u32);
            let rest: Vec<usize> = near
                .iter()
                .copied()
                .filter(|&c| c != d && self.ok(c, d))
                .collect();
            if self.fill(&mut g, &rest, 0, size) {
                return true;
            }
            g.pop();
        }
        false
    }

    /// Extend `g` with members of `rest[from..]` (in order, so each set is
    /// tried once) until a valid group of at least `min` and at most `size`
    /// members appears.
    fn fill(&self, g: &mut Vec<u32>, rest: &[usize], from: usize, size: usize) -> bool {
        if g.len() >= self.min && self.valid(g).is_some() {
            return true;
        }
        if g.len() >= size {
            return false;
        }
        for (x, &c) in rest.iter().enumerate().skip(from) {
            if !g.iter().all(|&y| self.ok(c, y as usize)) || !self.could_meet(g, c) {
                continue;
            }
            g.push(c as u32);
            if self.fill(g, rest, x + 1, size) {
                return true;
            }
            g.pop();
        }
        false
    }

    /// What growing a group towards a missing domain or senior is worth
    /// over any weight or coverage points, when the greedy growths choose.
    fn steer(&self) -> i64 {
        (1 << 20) + self.per_member * (self.n as i64 + 2)
    }

    pub fn group_weight(&self, g: &[u32]) -> i64 {
        let mut s = 0;
        for (x, &a) in g.iter().enumerate() {
            for &b in &g[x + 1..] {
                s += self.w(a as usize, b as usize);
            }
        }
        s
    }
}

struct State<'b> {
    b: &'b Block,
    group_of: Vec<usize>,
    groups: Vec<Vec<u32>>,
    /// `contrib[i * cap + g]`: sum of weights from i to the members of g.
    contrib: Vec<i64>,
    /// `bad[i * cap + g]`: members of g that i is not compatible with.
    bad: Vec<u16>,
    cap: usize,
    objective: i64,
    evaluations: u64,
}

impl<'b> State<'b> {
    fn new(b: &'b Block) -> State<'b> {
        let cap = b.n / b.min + 1;
        State {
            b,
            group_of: vec![POOL; b.n],
            groups: Vec::new(),
            contrib: vec![0; b.n * cap],
            bad: vec![0; b.n * cap],
            cap,
            objective: 0,
            evaluations: 0,
        }
    }

    fn add(&mut self, i: usize, g: usize) {
        let b = self.b;
        self.objective += self.contrib[i * self.cap + g] + b.per_member;
        for k in 0..b.n {
            self.contrib[k * self.cap + g] += if b.ok(k, i) { b.w(k, i) } else { 0 };
            self.bad[k * self.cap + g] += u16::from(k != i && !b.ok(k, i));
        }
        self.group_of[i] = g;
        self.groups[g].push(i as u32);
    }

    fn remove(&mut self, i: usize) {
        let g = self.group_of[i];
        let b = self.b;
        for k in 0..b.n {
            self.contrib[k * self.cap + g] -= if b.ok(k, i) { b.w(k, i) } else { 0 };
            self.bad[k * self.cap + g] -= u16::from(k != i && !b.ok(k, i));
        }
        self.objective -= self.contrib[i * self.cap + g] + b.per_member;
        self.group_of[i] = POOL;
        self.groups[g].retain(|&x| x as usize != i);
    }

    fn new_group(&mut self) -> usize {
        if let Some(g) = self.groups.iter().position(|g| g.is_empty()) {
            return g;
        }
        debug_assert!(self.groups.len() < self.cap);
        self.groups.push(Vec::new());
        self.groups.len() - 1
    }

    fn c(&self, i: usize, g: usize) -> i64 {
        if g == POOL {
            0
        } else {
            self.contrib[i * self.cap + g]
        }
    }

    /// The coverage points of being in `g` rather than among the leftovers.
    fn placed(&self, g: usize) -> i64 {
        if g == POOL {
            0
        } else {
            self.b.per_member
        }
    }

    fn bad(&self, i: usize, g: usize) -> u16 {
        if g == POOL {
            0
        } else {
            self.bad[i * self.cap + g]
        }
    }

    /// Would group g be valid with `out` removed and `inn` added?
    fn valid_after(&self, g: usize, out: Option<usize>, inn: Option<usize>) -> bool {
        if g == POOL {
            return true;
        }
        let mut v: Vec<u32> = self.groups[g]
            .iter()
            .copied()
            .filter(|&x| Some(x as usize) != out)
            .collect();
        if let Some(i) = inn {
            v.push(i as u32);
        }
        v.is_empty() || self.b.valid(&v).is_some()
    }

    fn try_move(&mut self, i: usize, g: usize, need_gain: bool) -> bool {
        let gi = self.group_of[i];
        if g == gi || (g != POOL && (self.groups[g].len() >= self.b.max || self.bad(i, g) > 0)) {
            return false;
        }
        self.evaluations += 1;
        let gain = self.c(i, g) - self.c(i, gi) + self.placed(g) - self.placed(gi);
        if need_gain && gain <= 0 {
            return false;
        }
        if !(self.valid_after(g, None, Some(i)) && self.valid_after(gi, Some(i), None)) {
            return false;
        }
        if gi != POOL {
            self.remove(i);
        }
        if g != POOL {
            self.add(i, g);
        }
        true
    }

    fn try_swap(&mut self, i: usize, j: usize, need_gain: bool) -> bool {
        let (gi, gj) = (self.group_of[i], self.group_of[j]);
        if gi == gj {
            return false;
        }
        self.evaluations += 1;
        let b = self.b;
        let not_ok = u16::from(!b.ok(i, j));
        if (gj != POOL && self.bad(i, gj) - not_ok > 0)
            || (gi != POOL && self.bad(j, gi) - not_ok > 0)
        {
            return false;
        }
        let wij = if b.ok(i, j) { b.w(i, j) } else { 0 };
        let into_gj = if gj == POOL {
            0
        } else {
            self.c(i, gj) - wij - self.c(j, gj)
        };
        let into_gi = if gi == POOL {
            0
        } else {
            self.c(j, gi) - wij - self.c(i, gi)
        };
        if need_gain && into_gj + into_gi <= 0 {
            return false;
        }
        if !(self.valid_after(gi, Some(i), Some(j)) && self.valid_after(gj, Some(j), Some(i))) {
            return false;
        }
        if gi != POOL {
            self.remove(i);
        }
        if gj != POOL {
            self.remove(j);
            self.add(i, gj);
        }
        if gi != POOL {
            self.add(j, gi);
        }
        true
    }

    /// Grow a group greedily from `seed` among pool members, aiming at
    /// `target` members; keep it only if it is valid.
    fn form_group(&mut self, seed: usize, target: usize) -> bool {
        let b = self.b;
        let mut g: Vec<u32> = vec![seed as u32];
        // Coverage: once a group has its two domains, it takes members of
        // the domains most left over, and keeps the scarce ones for other
        // groups (else one group takes both non-UWV members of a small
        // round and the other UWV members find no group).
        let mut left_over = vec![0i64; 256];
        if b.per_member > 0 {
            for c in (0..b.n).filter(|&c| self.group_of[c] == POOL) {
                left_over[b.domain[c] as usize] += 1;
            }
        }
        while g.len() < target {
            let mixed = g.iter().any(|&x| b.domain[x as usize] != b.domain[seed]);
            let mut best: Option<(i64, usize)> = None;
            for c in 0..b.n {
                if self.group_of[c] != POOL || g.contains(&(c as u32)) {
                    continue;
                }
                self.evaluations += 1;
                if !g.iter().all(|&x| b.ok(c, x as usize)) || !b.could_meet(&g, c) {
                    continue;
                }
                let mut gain: i64 = g.iter().map(|&x| b.w(c, x as usize)).sum();
                // Steer towards the mix the group rules ask for.
                if g.iter().all(|&x| b.domain[x as usize] == b.domain[c]) {
                    gain -= b.steer();
                }
                if b.junior[c] && g.iter().all(|&x| b.junior[x as usize]) {
                    gain -= b.steer();
                }
                if mixed {
                    gain += b.per_member * left_over[b.domain[c] as usize];
                }
                if best.is_none_or(|(bg, _)| gain > bg) {
                    best = Some((gain, c));
                }
            }
            match best {
                Some((_, c)) => g.push(c as u32),
                None => break,
            }
        }
        // Shrink from the end while invalid but still large enough.
        while g.len() >= b.min && b.valid(&g).is_none() {
            g.pop();
        }
        if g.len() < b.min || b.valid(&g).is_none() {
            return false;
        }
        let id = self.new_group();
        for x in g {
            self.add(x as usize, id);
        }
        true
    }

    /// Balanced greedy start: hardest members (fewest compatible) seed groups.
    fn construct(&mut self, order: &[usize]) {
        let b = self.b;
        let groups_wanted = b.n.div_ceil(b.max).max(1);
        let mut formed = 0;
        for &s in order {
            if self.group_of[s] != POOL {
                continue;
            }
            let pool_left = self.group_of.iter().filter(|&&g| g == POOL).count();
            if pool_left < b.min {
                break;
            }
            let remaining_groups = groups_wanted.saturating_sub(formed).max(1);
            let target = pool_left.div_ceil(remaining_groups).clamp(b.min, b.max);
            if self.form_group(s, target) {
                formed += 1;
            }
        }
    }

    /// First-improvement descent over moves and swaps, members visited
    /// from `start` on: after a kick a random start keeps the descent from
    /// always undoing the kick through the same low-numbered member.
    fn descend(&mut self, budget: u64, start: usize) {
        let n = self.b.n;
        loop {
            let mut improved = false;
            for step in 0..n {
                let i = (start + step) % n;
                for g in 0..self.groups.len() {
                    if self.groups[g].is_empty() {
                        continue;
                    }
                    if self.try_move(i, g, true) {
                        improved = true;
                        break;
                    }
                }
                for j in 0..n {
                    if j != i && !(self.group_of[i] == POOL && self.group_of[j] == POOL) {
                        improved |= self.try_swap(i, j, true);
                    }
                }
            }
            improved |= self.regroup_pool(start);
            improved |= self.rescue_pool();
            if !improved || self.evaluations >= budget {
                return;
            }
        }
    }

    /// A new group around leftover `seed`, taking other leftovers and at most
    /// one member from each group that can spare one (stays valid at its
    /// smaller size): the best valid prefix of a greedy growth. This is how
    /// members left over at the edge of a domain or a region get placed.
    fn steal_group(&mut self, seed: usize, need_gain: bool) -> bool {
        let b = self.b;
        if self.groups.iter().filter(|g| !g.is_empty()).count() >= self.cap {
            return false;
        }
        let mut g: Vec<u32> = vec![seed as u32];
        let mut donors: Vec<usize> = Vec::new();
        let mut best_net: Option<(i64, usize)> = None;
        while g.len() < b.max {
            let mut best: Option<(i64, usize)> = None;
            for c in 0..b.n {
                let d = self.group_of[c];
                if g.contains(&(c as u32)) || donors.contains(&d) {
                    continue;
                }
                self.evaluations += 1;
                if d != POOL && self.groups[d].len() <= b.min {
                    continue;
                }
                if !g.iter().all(|&x| b.ok(c, x as usize)) || !b.could_meet(&g, c) {
                    continue;
                }
                let mut gain = g.iter().map(|&x| b.w(c, x as usize)).sum::<i64>() - self.c(c, d)
                    + b.per_member
                    - self.placed(d);
                if g.iter().all(|&x| b.domain[x as usize] == b.domain[c]) {
                    gain -= b.steer();
                }
                if b.junior[c] && g.iter().all(|&x| b.junior[x as usize]) {
                    gain -= b.steer();
                }
                if best.is_none_or(|(bg, _)| gain > bg) {
                    best = Some((gain, c));
                }
            }
            let Some((_, c)) = best else { break };
            if self.group_of[c] != POOL {
                if !self.valid_after(self.group_of[c], Some(c), None) {
                    break;
                }
                donors.push(self.group_of[c]);
            }
            g.push(c as u32);
            if g.len() >= b.min && b.valid(&g).is_some() {
                let lost: i64 = g
                    .iter()
                    .map(|&x| {
                        let d = self.group_of[x as usize];
                        self.c(x as usize, d) + self.placed(d)
                    })
                    .sum();
                let net = b.group_weight(&g) + b.per_member * g.len() as i64 - lost;
                if best_net.is_none_or(|(bn, _)| net > bn) {
                    best_net = Some((net, g.len()));
                }
            }
        }
        let Some((net, len)) = best_net else {
            return false;
        };
        if need_gain && net <= 0 {
            return false;
        }
        g.truncate(len);
        for &x in &g {
            if self.group_of[x as usize] != POOL {
                self.remove(x as usize);
            }
        }
        let id = self.new_group();
        for x in g {
            self.add(x as usize, id);
        }
        true
    }

    /// Leftovers that could form a valid group among themselves do so.
    /// Seeds are taken from `start` on, so that after a kick other seeds
    /// lead and other groups form.
    fn regroup_pool(&mut self, start: usize) -> bool {
        let pool: Vec<usize> = (0..self.b.n)
            .filter(|&i| self.group_of[i] == POOL)
            .collect();
        if pool.len() < self.b.min
            || self.groups.iter().filter(|g| !g.is_empty()).count() >= self.cap
        {
            return false;
        }
        // Coverage: leftovers form groups at their smallest, so that more of
        // them can form; a walk keeps the result only if it places more or
        // scores more, and moves fill the groups up afterwards.
        let target = if self.b.per_member > 0 {
            self.b.min
        } else {
            self.b.max
        };
        let mut any = false;
        for k in 0..pool.len() {
            let s = pool[(start + k) % pool.len()];
            if self.group_of[s] == POOL && self.form_group(s, target) {
                any = true;
            }
        }
        any
    }

    /// Leftovers who cannot form a group among themselves (typically all of
    /// one domain: the many UWV members of a survey-shaped round once the
    /// other domains are spread over full groups) each get a new group with
    /// a member spared by other groups, whenever that raises the objective.
    /// Without this the descent keeps full, balanced groups and leaves them
    /// out, although placing them raises the score too.
    fn rescue_pool(&mut self) -> bool {
        let pool: Vec<usize> = (0..self.b.n)
            .filter(|&i| self.group_of[i] == POOL)
            .collect();
        let mut any = false;
        for s in pool {
            if self.group_of[s] == POOL && self.steal_group(s, true) {
                any = true;
            }
        }
        any
    }

    /// Leave the current local optimum: a few random swaps, or a member
    /// sent to the leftovers, or a whole group dissolved (the only way to
    /// go from many small groups to fewer large ones, which have more pairs).
    fn kick(&mut self, rng: &mut ChaCha8Rng) {
        let n = self.b.n;
        match rng.random_range(0..5) {
            4 => {
                let pool: Vec<usize> = (0..n).filter(|&i| self.group_of[i] == POOL).collect();
                if !pool.is_empty() {
                    let seed = pool[rng.random_range(0..pool.len())];
                    self.steal_group(seed, false);
                }
            }
            0 | 1 => {
                for _ in 0..3 {
                    for _attempt in 0..20 {
                        let i = rng.random_range(0..n);
                        let j = rng.random_range(0..n);
                        if self.try_swap(i, j, false) {
                            break;
                        }
                    }
                }
            }
            2 => {
                for _attempt in 0..20 {
                    let i = rng.random_range(0..n);
                    if self.group_of[i] != POOL && self.try_move(i, POOL, false) {
                        break;
                    }
                }
            }
            _ => {
                let live: Vec<usize> = (0..self.groups.len())
                    .filter(|&g| !self.groups[g].is_empty())
                    .collect();
                if live.is_empty() {
                    return;
                }
                let g = live[rng.random_range(0..live.len())];
                for i in self.groups[g].clone() {
                    self.remove(i as usize);
                }
            }
        }
    }

    fn snapshot(&self) -> (i64, Vec<Vec<u32>>) {
        (self.objective, self.groups.clone())
    }

    fn restore(&mut self, groups: &[Vec<u32>]) {
        let cap = self.cap;
        *self = State {
            evaluations: self.evaluations,
            ..State::new(self.b)
        };
        debug_assert_eq!(self.cap, cap);
        for g in groups {
            let id = self.new_group();
            for &x in g {
                self.add(x as usize, id);
            }
        }
    }
}

/// Valid groups (local indices, each sorted, groups by first member) for a
/// block; members in no group could not be placed validly.
pub fn search(b: &Block, seed: u64, stream: u64, budget: u64) -> Vec<Vec<u32>> {
    if b.n < b.min {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let degree: Vec<usize> = (0..b.n)
        .map(|i| (0..b.n).filter(|&j| b.ok(i, j)).count())
        .collect();
    let tiebreak: Vec<u32> = (0..b.n).map(|_| rng.random()).collect();
    let mut order: Vec<usize> = (0..b.n).collect();
    order.sort_by_key(|&i| (degree[i], tiebreak[i]));

    // Iterated local search from the hardest-first start; when a walk has
    // not improved for a while, start again from a shuffled order and keep
    // the best of all walks.
    const STALL: u32 = 300;
    let mut s = State::new(b);
    let (mut best_obj, mut best) = (i64::MIN, Vec::new());
    let mut first = true;
    while first || s.evaluations < budget {
        if !first {
            for i in (1..order.len()).rev() {
                order.swap(i, rng.random_range(0..=i));
            }
            s.restore(&[]);
        }
        first = false;
        s.construct(&order);
        s.descend(budget, 0);
        let (mut walk_obj, mut walk) = s.snapshot();
        let mut stall = 0;
        while s.evaluations < budget && stall < STALL {
            s.kick(&mut rng);
            let start = rng.random_range(0..b.n);
            s.descend(budget, start);
            stall += 1;
            // Better or equal moves on (a walk along plateaus); worse goes
            // back to the walk's best.
            if s.objective > walk_obj {
                stall = 0;
            }
            if s.objective >= walk_obj {
                (walk_obj, walk) = s.snapshot();
            } else {
                s.restore(&walk);
            }
        }
        if walk_obj > best_obj {
            (best_obj, best) = (walk_obj, walk);
        }
    }
    let mut out: Vec<Vec<u32>> = best.into_iter().filter(|g| !g.is_empty()).collect();
    for g in &mut out {
        g.sort_unstable();
    }
    out.sort_unstable();
    out
}
