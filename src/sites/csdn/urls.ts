/** The site's URLs, relative to a configurable origin (the real site or a local replica). */
export interface CsdnUrls {
  home(id: string): string;
  legacyList(id: string, page: number): string;
  businessList(id: string, page: number, size: number): string;
  tabTotal(id: string): string;
  fans(id: string, page: number, size: number): string;
  follows(id: string, page: number, size: number): string;
  /** v2 lists (what a real page called in 2022): `pageSize`, and `id` = the previous page's last item id (0 first). */
  fansV2(id: string, page: number, size: number, cursor: string): string;
  followsV2(id: string, page: number, size: number, cursor: string): string;
}

export function csdnUrls(baseUrl: string): CsdnUrls {
  const base = baseUrl.replace(/\/+$/, '');
  const api = `${base}/community/home-api/v1`;
  const api2 = `${base}/community/home-api/v2`;
  const e = encodeURIComponent;
  const v2 = (list: string) => (id: string, page: number, size: number, cursor: string) =>
    `${api2}/${list}?page=${page}&pageSize=${size}&id=${e(cursor)}&noMore=false&blogUsername=${e(id)}`;
  return {
    home: (id) => `${base}/${e(id)}`,
    legacyList: (id, page) => `${base}/${e(id)}/article/list/${page}`,
    businessList: (id, page, size) =>
      `${api}/get-business-list?page=${page}&size=${size}&businessType=blog&orderby=&noMore=false&year=&month=&username=${e(id)}`,
    tabTotal: (id) => `${api}/get-tab-total?username=${e(id)}`,
    fans: (id, page, size) =>
      `${api}/get-fans-list?page=${page}&size=${size}&noMore=false&blogUsername=${e(id)}`,
    follows: (id, page, size) =>
      `${api}/get-follow-list?page=${page}&size=${size}&noMore=false&blogUsername=${e(id)}`,
    fansV2: v2('get-fans-list'),
    followsV2: v2('get-follow-list'),
  };
}
