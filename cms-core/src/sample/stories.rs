//! The sample content itself: two categories and four stories about Port
//! Halden, a fictional city, each with an intro, headed sections and related
//! links, and a note in every intro saying the story is not real news.

pub(super) struct SampleCategory {
    pub(super) name: &'static str,
    pub(super) slug: &'static str,
    pub(super) description: &'static str,
}

pub(super) const CATEGORIES: [SampleCategory; 2] = [
    SampleCategory {
        name: "City",
        slug: "city",
        description: "Council decisions, transport, libraries and life in Port Halden.",
    },
    SampleCategory {
        name: "Business",
        slug: "business",
        description: "Companies, jobs and the local economy.",
    },
];

pub(super) struct SampleArticle {
    pub(super) title: &'static str,
    pub(super) slug: &'static str,
    pub(super) standfirst: &'static str,
    /// Index into [`CATEGORIES`].
    pub(super) category: usize,
    /// How long before loading the article counts as published.
    pub(super) hours_ago: i64,
    /// `(heading, markdown)`; the first has no heading (the intro).
    pub(super) sections: &'static [(&'static str, &'static str)],
    /// Indexes into [`ARTICLES`] for "Related News".
    pub(super) related: &'static [usize],
    /// One external related link: `(url, title)`.
    pub(super) external: (&'static str, &'static str),
}

/// Appended to every intro, so nobody mistakes the stories for real news.
pub(super) const SAMPLE_NOTE: &str =
    "*Sample article: Port Halden is a fictional city, and this story \
was written to show how articles look on your new Gazette site. An editor can delete all \
sample content from the dashboard.*";

pub(super) const ARTICLES: [SampleArticle; 4] = [
    SampleArticle {
        title: "Harbour Bridge reopens after fourteen-month restoration",
        slug: "harbour-bridge-reopens",
        standfirst: "Port Halden's oldest crossing is back in service with wider footpaths, \
a protected cycle lane and a new weight limit for lorries.",
        category: 0,
        hours_ago: 20,
        sections: &[
            (
                "",
                "The Harbour Bridge reopened to traffic at six o'clock on Monday morning, \
ending fourteen months of closures that pushed cross-harbour journeys onto the ring road and \
the ferries. The first vehicle across was a number 12 bus, greeted by a small crowd of early \
commuters and the brass band of Northquay Secondary School.",
            ),
            (
                "What changed on the bridge",
                "Engineers replaced the deck, repaired 212 corroded rivets and repainted the \
steelwork in its original harbour green. The layout is new too:

- two general traffic lanes instead of three;
- a **protected cycle lane** on the seaward side;
- footpaths widened from 1.8 to 3 metres;
- a 7.5-tonne weight limit, except for buses and emergency vehicles.

City engineer Mara Okonedo said the bridge \"should not need major work for another forty \
years\", provided the weight limit is enforced.",
            ),
            (
                "Cost and timetable",
                "The restoration cost $38.4 million, about 9 percent more than the original \
estimate. The council puts most of the overrun down to steel prices and to a six-week pause \
last winter, when storms made work on the upper arches too dangerous.

The bridge was due to reopen in August. Contractors finished the deck early by working night \
shifts in the spring, but *the final safety inspection* took longer than planned.",
            ),
            (
                "What it means for commuters",
                "The ring-road diversion ends today. The temporary ferry timetable runs until \
Friday, after which the harbour ferries return to their usual 20-minute service. Bus routes 12, \
14 and 31 go back over the bridge, cutting about ten minutes from a typical trip between \
Northquay and the Old Town.

Updated route maps are on the \
[transit authority's website](https://www.example.org/port-halden-transit).",
            ),
            (
                "Reactions",
                "Most commuters we spoke to were simply relieved. \"Fourteen months of the ring \
road felt like fourteen years,\" said Priya Lindqvist, who cycles from Northquay to her bakery \
in the Old Town.

Some shopkeepers on Quay Street are less happy about losing a traffic lane and say deliveries \
will be slower. The council says it will review loading bays in the autumn.",
            ),
            (
                "What comes next",
                "The council will count cars, buses and bicycles on the bridge for three months \
before deciding whether to keep the new layout for good. A public meeting on the results is \
planned for the new year at Eastgate Library.",
            ),
        ],
        related: &[1, 3, 2],
        external: (
            "https://www.example.org/port-halden-transit",
            "Port Halden Transit Authority: bus and ferry service updates",
        ),
    },
    SampleArticle {
        title: "Council passes budget with more money for buses and libraries",
        slug: "council-passes-budget",
        standfirst: "After a debate that ran past midnight, councillors approved next year's \
budget by 27 votes to 22. Opponents warn the city is spending reserves it will need for flood \
defences.",
        category: 0,
        hours_ago: 51,
        sections: &[
            (
                "",
                "Port Halden City Council approved its budget for next year shortly after one \
o'clock on Thursday morning, by 27 votes to 22, after almost seven hours of debate and three \
rejected amendments.",
            ),
            (
                "Where the money goes",
                "The budget totals $1.2 billion, 3.1 percent more than this year. The largest \
increases are:

1. **Public transport**: an extra $14 million, mostly to run buses every ten minutes on the \
four busiest routes;
2. **Libraries**: $6 million, including longer opening hours at six branches;
3. **Street repairs**: $9 million, aimed at the potholes that drew a record number of \
complaints last winter.",
            ),
            (
                "Council tax and fees",
                "Household council tax rises by 2.5 percent, below inflation. Parking in the Old \
Town goes up by 20 cents an hour, while the price of a residents' permit is frozen.

Finance chair Tomasz Reyes called it \"a budget that asks a little of everyone and a lot of \
no one\".",
            ),
            (
                "The opposition's case",
                "Opposition councillors argued that the city is leaning too heavily on one-off \
reserves. Their amendment to halve the transport increase and put the money towards the \
harbour sea wall was defeated by 26 votes to 23.

\"We are paying for buses today with money we will need for flood defences tomorrow,\" said \
councillor Ines Abara.",
            ),
            (
                "How the night unfolded",
                "- **18:00**: the debate opens, with 41 councillors asking to speak;
- **22:40**: the sea-wall amendment fails;
- **00:15**: a motion to *delay* the vote by a week is withdrawn;
- **01:05**: the budget passes, 27 to 22.

The full voting record is published on the \
[council's open data portal](https://www.example.org/port-halden-council/votes).",
            ),
            (
                "What happens next",
                "The budget takes effect on 1 January. The first visible change will be longer \
library hours in February; the more frequent buses follow in April, once forty new drivers \
have finished their training.",
            ),
        ],
        related: &[0, 3, 2],
        external: (
            "https://www.example.org/port-halden-council/budget",
            "Port Halden City Council: budget papers",
        ),
    },
    SampleArticle {
        title: "Lanternfish Software to hire 120 people at new waterfront office",
        slug: "lanternfish-software-to-hire-120",
        standfirst: "The Port Halden company, which makes scheduling tools for hospitals, will \
move into the old customs house next spring and train twenty apprentices with the city \
college.",
        category: 1,
        hours_ago: 77,
        sections: &[
            (
                "",
                "Lanternfish Software, the scheduling company founded in a Northquay flat six \
years ago, says it will hire 120 people over the next eighteen months and move its \
headquarters into the former customs house on the waterfront.",
            ),
            (
                "Who they are looking for",
                "Chief executive Dalia Murnane said about half of the new roles are for software \
engineers. The rest are in:

- customer support, including a night shift for hospitals in other time zones;
- data protection and security;
- sales and training.

\"We want people who know how a hospital ward actually runs,\" Murnane said. \"Some of our \
best hires have been nurses who taught themselves to code.\"",
            ),
            (
                "Why the waterfront",
                "The company has outgrown its offices above a furniture shop on Mill Lane. The \
customs house, empty for six years, has room for 250 desks and is a short walk from the \
Harbour Bridge, which reopens next week.

Lanternfish has signed a **fifteen-year lease** and will pay for the building's restoration \
itself in return for a reduced rent.",
            ),
            (
                "Training with the city college",
                "Twenty of the new jobs are apprenticeships run with Port Halden City College. \
Apprentices will spend three days a week at the company and two in class, and will be paid \
from their first day. Applications open in January on the \
[college's website](https://www.example.com/halden-college/apprenticeships).",
            ),
            (
                "A cautious welcome",
                "Local business groups welcomed the news but warned that the city is short of \
affordable homes for new arrivals. Samuel Achterberg of the chamber of commerce called the \
announcement \"exactly what the waterfront needs\" and urged the council to *speed up* \
planning decisions on new housing nearby.",
            ),
            (
                "What comes next",
                "Restoration of the customs house starts in February. Until it is finished, new \
staff will work from a shared office in the Old Town. The first forty roles are advertised \
this week.",
            ),
        ],
        related: &[0, 1],
        external: (
            "https://www.example.com/halden-college/apprenticeships",
            "Port Halden City College: apprenticeships",
        ),
    },
    SampleArticle {
        title: "Eastgate Library opens with a maker space and late-night hours",
        slug: "eastgate-library-opens",
        standfirst: "The city's first new library in thirty years is open until 10 p.m. on \
weekdays, and it lends drills and tents as well as books.",
        category: 0,
        hours_ago: 98,
        sections: &[
            (
                "",
                "Eastgate Library opened on Saturday in a converted tram depot, the first new \
public library in Port Halden for thirty years. More than 3,000 people came through the doors \
on the first day, according to the city's library service.",
            ),
            (
                "Inside the old tram depot",
                "Architects kept the depot's iron columns and glass roof and built the library \
as a series of timber rooms beneath them. There are:

- 60,000 books, a quarter of them in languages other than English;
- a children's floor with a storytelling pit;
- twelve quiet study rooms that can be booked online;
- a café run by a local social enterprise.",
            ),
            (
                "A library of things",
                "The most talked-about feature is the **maker space** on the mezzanine, with 3D \
printers, sewing machines and a laser cutter. Members can also borrow tools (drills, ladders, \
a pressure washer, even a tent) for up to a week at a time.

\"Nobody needs to own a drill they use twice a year,\" said head librarian Joon Faraday.",
            ),
            (
                "Open late",
                "Eastgate is open until 10 p.m. from Monday to Friday. Staff say the late hours \
are meant for shift workers and students who cannot visit during the day. Opening times for \
every branch are on the \
[library service's website](https://www.example.org/port-halden-libraries).",
            ),
            (
                "Getting there",
                "The library is next to the Eastgate stop on tram line 2. There are 80 cycle \
spaces but *no car park*: the nearest public parking is at the Eastgate shopping centre, a \
ten-minute walk away.",
            ),
            (
                "What comes next",
                "A second branch in the same style is planned for Northquay, if next year's \
budget pays for it. Until the end of the month, the maker space runs free introductory \
sessions every Saturday morning.",
            ),
        ],
        related: &[1, 0],
        external: (
            "https://www.example.org/port-halden-libraries",
            "Port Halden Libraries: opening times",
        ),
    },
];
